//! Task dumps: what every live task of a runtime is doing, as data and as
//! text for people.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use crate::context::{self, Core};
use crate::scheduler::Place;
use crate::task::TaskId;

/// The live tasks of a runtime at one moment: from [`Runtime::dump`],
/// [`dump`], and in the panic of a [hang](crate::Builder::hang_timeout).
///
/// Its `Display` is a list, one task per line, the `block_on` future
/// first, then the tasks by id:
///
/// ```text
/// 3 live tasks:
///   task 1 (block_on at src/main.rs:4:8): waiting for 2s, polled 1 time, age 2s
///   task 3 "left" (spawned at src/main.rs:9:5): waiting for 2s, polled 2 times, age 2s
///   task 5 (spawned at src/main.rs:15:5): lost waker (nothing can wake it) for 2s, polled 1 time, age 2s
/// ```
///
/// Locations, times and poll counts are known for tasks spawned while
/// [task tracking](crate::Builder::task_tracking) was on (always on a
/// paused clock); other tasks show their id, name and state. Times are on
/// the runtime's clock (paused or not), as of the loop's last turn, to a
/// few milliseconds.
///
/// tokio has a `Runtime::dump` too, behind `--cfg tokio_unstable` and
/// `tokio_taskdump`: async, Linux-only, with a backtrace per task. solo's
/// is plain data taken at once (no backtraces), on every platform, and is
/// what a [hang](crate::Builder::hang_timeout) prints.
///
/// [`Runtime::dump`]: crate::Runtime::dump
#[derive(Clone, Debug)]
pub struct Dump {
    tasks: Vec<TaskDump>,
}

/// One task in a [`Dump`].
#[derive(Clone, Debug)]
pub struct TaskDump {
    id: TaskId,
    name: Option<String>,
    block_on: bool,
    state: TaskState,
    track: Option<Tracked>,
}

/// What tracking adds to a [`TaskDump`].
#[derive(Clone, Copy, Debug)]
struct Tracked {
    location: &'static Location<'static>,
    age: Duration,
    idle: Duration,
    polls: u64,
}

/// What a task in a [`Dump`] is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Being polled: the dump was taken from inside it.
    Running,
    /// Woken, waiting for its turn.
    Ready,
    /// Waiting for a wake-up that something (a timer, a socket, a channel,
    /// another thread) holds a waker for.
    Waiting,
    /// Waiting, but no waker for it exists any more (nor an abort handle):
    /// nothing can wake it, so it never runs again. A bug in some future
    /// it awaits, which returned `Pending` without keeping the waker.
    LostWaker,
}

impl Dump {
    /// The tasks: the `block_on` future first (if one is running), then
    /// the others by id.
    pub fn tasks(&self) -> &[TaskDump] {
        &self.tasks
    }
}

impl TaskDump {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Its name, if it was spawned with one
    /// ([`task::Builder::name`](crate::task::Builder::name)).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where it was spawned (for the `block_on` future: where `block_on`
    /// was called), if it is tracked.
    pub fn location(&self) -> Option<&'static Location<'static>> {
        self.track.map(|t| t.location)
    }

    /// Whether this is the future `block_on` runs, rather than a spawned
    /// task.
    pub fn is_block_on(&self) -> bool {
        self.block_on
    }

    /// What it is doing.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How long ago it was spawned, if it is tracked.
    pub fn age(&self) -> Option<Duration> {
        self.track.map(|t| t.age)
    }

    /// How long ago its last poll ended (or it was spawned, if never
    /// polled): how long it has waited, if it is tracked. Zero while it
    /// runs.
    pub fn idle(&self) -> Option<Duration> {
        self.track.map(|t| t.idle)
    }

    /// How many times it was polled, if it is tracked.
    pub fn polls(&self) -> Option<u64> {
        self.track.map(|t| t.polls)
    }
}

/// The live tasks of the runtime running on this thread.
///
/// # Panics
///
/// Panics outside a runtime; use [`Runtime::dump`](crate::Runtime::dump)
/// there.
///
/// # Examples
///
/// ```
/// use solo::runtime::TaskState;
///
/// solo::block_on(async {
///     let _idle = solo::task::Builder::new()
///         .name("idle")
///         .spawn(std::future::pending::<()>())
///         .unwrap();
///     solo::task::yield_now().await; // let it run once
///     let dump = solo::runtime::dump();
///     let idle = dump.tasks().iter().find(|t| t.name() == Some("idle")).unwrap();
///     // `pending()` keeps no waker: nothing will ever wake that task.
///     assert_eq!(idle.state(), TaskState::LostWaker);
///     println!("{dump}");
/// });
/// ```
#[track_caller]
pub fn dump() -> Dump {
    match context::with_current(|core| of(core)) {
        Some(dump) => dump,
        None => panic!("solo::runtime::dump called outside a runtime"),
    }
}

/// The dump of `core`'s runtime.
pub(crate) fn of(core: &Core) -> Dump {
    let scheduler = &core.scheduler;
    // A fresh reading, for the ages; the tasks' own times are as of the
    // loop's last turn, so a difference is never negative in practice
    // (saturating if the clock reads the same).
    let now_ms = core.clock.now_ms() as u32; // truncated, as the records
    let now_ms = if now_ms.wrapping_sub(scheduler.now_ms()) > u32::MAX / 2 {
        scheduler.now_ms()
    } else {
        now_ms
    };
    let since = |ms: u32| Duration::from_millis(u64::from(now_ms.wrapping_sub(ms)));
    let mut tasks = Vec::with_capacity(scheduler.alive() + 1);
    let kept = core.reactor.kept_wakers();
    scheduler.for_each_task(|id, stats, track, place| {
        let running = matches!(place, Place::Running | Place::RunningMain);
        let state = if running {
            TaskState::Running
        } else if stats.queued {
            TaskState::Ready
        } else if stats.spare_refs == kept.get(&stats.addr).copied().unwrap_or(0) {
            TaskState::LostWaker
        } else {
            TaskState::Waiting
        };
        tasks.push(TaskDump {
            id,
            name: if stats.named {
                scheduler.name(id).map(|n| n.to_string())
            } else {
                None
            },
            block_on: matches!(place, Place::Main | Place::RunningMain),
            state,
            track: track.map(|t| Tracked {
                location: t.location,
                age: since(t.spawned_ms),
                idle: if running {
                    Duration::ZERO
                } else {
                    since(t.idle_ms)
                },
                polls: u64::from(t.polls),
            }),
        });
    });
    tasks.sort_by_key(|t| (!t.block_on, t.id));
    Dump { tasks }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Running => "running",
            TaskState::Ready => "ready",
            TaskState::Waiting => "waiting",
            TaskState::LostWaker => "lost waker (nothing can wake it)",
        })
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.id)?;
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        let how = if self.block_on { "block_on" } else { "spawned" };
        let Some(track) = self.track else {
            if self.block_on {
                write!(f, " (block_on)")?;
            }
            return write!(f, ": {} (untracked)", self.state);
        };
        write!(f, " ({how} at {}): {}", track.location, self.state)?;
        if self.state != TaskState::Running {
            write!(f, " for {:?}", track.idle)?;
        }
        let s = if track.polls == 1 { "" } else { "s" };
        write!(f, ", polled {} time{s}, age {:?}", track.polls, track.age)
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.tasks.len() == 1 { "" } else { "s" };
        write!(f, "{} live task{s}:", self.tasks.len())?;
        for task in &self.tasks {
            write!(f, "\n  {task}")?;
        }
        Ok(())
    }
}
