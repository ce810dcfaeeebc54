//! The articles' tiny "operating system", with solo's task API as its
//! system calls: a task asks for its own id (`task::id()`), starts new
//! tasks (`spawn`) and kills others (`JoinHandle::abort`), and every task
//! reports `Task N terminated` as it ends, whether it returned or was
//! killed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use solo::sync::Notify;
use solo::task::{self, yield_now, TaskId};
use solo::JoinHandle;

/// The system: a process table of running tasks and a console log.
#[derive(Clone, Default)]
pub struct Os {
    /// Running tasks; each removes itself as it terminates.
    table: Rc<RefCell<HashMap<TaskId, JoinHandle<()>>>>,
    /// Signalled whenever a task terminates.
    exited: Rc<Notify>,
    console: Rc<RefCell<Vec<String>>>,
    echo: bool,
}

/// How many rounds the endless demo task runs before giving up on being
/// killed (a bound, so that a broken `kill` fails instead of hanging).
pub const FOREVER_ROUNDS: usize = 1000;

impl std::fmt::Debug for Os {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Os")
            .field("running", &self.table.borrow().len())
            .finish()
    }
}

/// Logs `Task N terminated` when dropped: when the task returns, and also
/// when it is killed (an aborted task's future is dropped).
struct Terminated(TaskId, Os);

impl Drop for Terminated {
    fn drop(&mut self) {
        self.1.print(format!("Task {} terminated", self.0));
        // Dropping our own handle detaches this (ending) task: harmless.
        let handle = self.1.table.borrow_mut().remove(&self.0);
        drop(handle);
        self.1.exited.notify_one();
    }
}

impl Os {
    /// A system; with `echo`, each console line is also printed to stdout.
    pub fn new(echo: bool) -> Self {
        Os {
            echo,
            ..Os::default()
        }
    }

    /// Writes a line to the console.
    pub fn print(&self, line: String) {
        if self.echo {
            println!("{line}");
        }
        self.console.borrow_mut().push(line);
    }

    /// The console so far.
    pub fn console(&self) -> Vec<String> {
        self.console.borrow().clone()
    }

    /// The "new task" system call: starts `program` and returns its id.
    pub fn new_task<F: Future<Output = ()> + 'static>(&self, program: F) -> TaskId {
        let os = self.clone();
        let handle = solo::spawn(async move {
            let _end = Terminated(task::id(), os);
            program.await;
        });
        let id = handle.id();
        self.table.borrow_mut().insert(id, handle);
        id
    }

    /// The "kill task" system call: whether a task with that id was running.
    pub fn kill(&self, id: TaskId) -> bool {
        match self.table.borrow().get(&id) {
            Some(handle) => {
                handle.abort();
                true
            }
            None => false,
        }
    }

    /// Waits until every task has terminated. The handles stay in the
    /// table meanwhile, so tasks can still be killed.
    pub async fn wait_all(&self) {
        while !self.table.borrow().is_empty() {
            self.exited.notified().await;
        }
    }
}

/// The demo: a `foo` task prints its id a few times and returns; a
/// `forever` task prints its id until killed; a `killer` task lets it run,
/// then kills it; a `parent` task starts a child of its own. Returns the
/// console.
pub async fn run(echo: bool) -> Vec<String> {
    let os = Os::new(echo);

    let o = os.clone();
    os.new_task(async move {
        for _ in 0..3 {
            o.print(format!("I'm foo {}", task::id()));
            yield_now().await;
        }
    });

    let o = os.clone();
    let forever = os.new_task(async move {
        for _ in 0..FOREVER_ROUNDS {
            o.print(format!("I'm forever {}", task::id()));
            yield_now().await;
        }
        o.print(format!("Task {} was never killed", task::id()));
    });

    let o = os.clone();
    os.new_task(async move {
        for _ in 0..4 {
            yield_now().await;
        }
        if o.kill(forever) {
            o.print(format!("Task {} kills task {forever}", task::id()));
        } else {
            o.print(format!(
                "Task {} found no task {forever} to kill",
                task::id()
            ));
        }
    });

    let o = os.clone();
    os.new_task(async move {
        let me = task::id();
        let c = o.clone();
        let child = o.new_task(async move {
            c.print(format!("I'm the child {}", task::id()));
        });
        o.print(format!("Task {me} started task {child}"));
    });

    os.wait_all().await;
    os.console()
}
