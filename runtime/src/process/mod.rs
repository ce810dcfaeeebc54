//! Child processes (Unix): tokio's `process` module.
//!
//! [`Command`] builds a process as [`std::process::Command`] does;
//! [`spawn`](Command::spawn) starts it and returns a [`Child`] whose
//! [`wait`](Child::wait) is a future: the task sleeps until the child
//! exits, and the loop runs other tasks meanwhile.
//!
//! Exits are learned from a pidfd on Linux (5.3 and later), and from
//! SIGCHLD elsewhere; with SIGCHLD, solo installs a handler for it for the
//! rest of the process's life (see [`signal`](crate::signal::unix::signal)).
//!
//! ```
//! use solo::process::Command;
//!
//! solo::block_on(async {
//!     let status = Command::new("sh").args(["-c", "exit 3"]).status().await?;
//!     assert_eq!(status.code(), Some(3));
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```

mod exit;
mod reap;

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{Child as StdChild, Command as StdCommand, ExitStatus, Stdio};

use exit::Watch;

/// Builds and starts a child process: [`std::process::Command`]'s
/// builder, with futures to wait for the child (tokio's `Command`).
///
/// The builder methods have std's meaning and return `&mut Command`, so
/// calls chain; a `Command` can spawn any number of children.
pub struct Command {
    std: StdCommand,
    kill_on_drop: bool,
}

impl Command {
    /// A command that runs `program`, looked up in `PATH` if it holds no
    /// `/`, with no arguments, the parent's environment and working
    /// directory, and (for [`spawn`](Self::spawn) and
    /// [`status`](Self::status)) the parent's stdin, stdout and stderr.
    pub fn new<S: AsRef<OsStr>>(program: S) -> Command {
        Command::from(StdCommand::new(program))
    }

    /// Appends one argument.
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Appends arguments, in order.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env<K: AsRef<OsStr>, V: AsRef<OsStr>>(&mut self, key: K, val: V) -> &mut Command {
        self.std.env(key, val);
        self
    }

    /// Sets several environment variables for the child.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus whatever
    /// [`env`](Self::env) adds afterwards).
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory. A relative program path is then
    /// resolved as the platform does (see std's `current_dir`).
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's stdin: inherited by default for
    /// [`spawn`](Self::spawn) and [`status`](Self::status).
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdin(cfg);
        self
    }

    /// Sets the child's stdout: inherited by default for
    /// [`spawn`](Self::spawn) and [`status`](Self::status).
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdout(cfg);
        self
    }

    /// Sets the child's stderr: inherited by default for
    /// [`spawn`](Self::spawn) and [`status`](Self::status).
    pub fn stderr<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stderr(cfg);
        self
    }

    /// Whether dropping a [`Child`] spawned from now on kills it (SIGKILL)
    /// if it is still running. `false` by default: the child then runs on.
    /// Either way it is reaped once it exits (see [`Child`]).
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// The `std` command inside, to set what this type has no method for
    /// (`std::os::unix::process::CommandExt`, for instance).
    pub fn as_std_mut(&mut self) -> &mut StdCommand {
        &mut self.std
    }

    /// The `std` command inside.
    pub fn as_std(&self) -> &StdCommand {
        &self.std
    }

    /// Starts the child process.
    ///
    /// # Errors
    ///
    /// [`NotFound`](io::ErrorKind::NotFound) if the program does not exist,
    /// [`PermissionDenied`](io::ErrorKind::PermissionDenied) if it cannot
    /// be executed, and any other error of `fork`/`exec`. Outside a runtime
    /// it fails before starting anything.
    pub fn spawn(&mut self) -> io::Result<Child> {
        // Fail before starting a process nobody could wait for.
        crate::context::current_or_io_error()?;
        let std = self.std.spawn()?;
        Ok(Child {
            state: State::Running(Running {
                std,
                watch: None,
                kill_on_drop: self.kill_on_drop,
            }),
        })
    }

    /// Starts the child and waits for it to exit; stdin, stdout and stderr
    /// are inherited unless set.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait`].
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn()?;
        child.wait().await
    }
}

impl From<StdCommand> for Command {
    fn from(std: StdCommand) -> Command {
        Command {
            std,
            kill_on_drop: false,
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}

/// A child process started by [`Command::spawn`] (tokio's `Child`).
///
/// Dropping a `Child` whose process has not been reaped neither waits nor
/// blocks: the process is killed first if the command had
/// [`kill_on_drop(true)`](Command::kill_on_drop), and otherwise runs on;
/// either way it is reaped once it exits, by a task of the current runtime
/// (or, outside a runtime and when that runtime shuts down first, by a
/// thread), so it does not stay a zombie.
pub struct Child {
    state: State,
}

enum State {
    Running(Running),
    /// Reaped: the status is known and the pid may belong to another
    /// process now.
    Exited(ExitStatus),
}

struct Running {
    std: StdChild,
    /// Made by the first wait, on the runtime of that task.
    watch: Option<Watch>,
    kill_on_drop: bool,
}

impl Child {
    /// The child's process id, or `None` once it has been reaped (by
    /// [`wait`](Self::wait) or [`try_wait`](Self::try_wait)), when the id
    /// may have been given to another process.
    pub fn id(&self) -> Option<u32> {
        match &self.state {
            State::Running(running) => Some(running.std.id()),
            State::Exited(_) => None,
        }
    }

    /// Waits for the child to exit and returns its status. Once it has
    /// exited, every call returns the same status at once.
    ///
    /// Cancel-safe: dropping the future loses nothing, a later call waits
    /// on.
    ///
    /// # Errors
    ///
    /// If the exit cannot be watched (outside a runtime, out of
    /// descriptors) or `waitpid` fails.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        let running = match &mut self.state {
            State::Exited(status) => return Ok(*status),
            State::Running(running) => running,
        };
        let watch = match &mut running.watch {
            Some(watch) => watch,
            empty => empty.insert(Watch::new(&running.std)?),
        };
        let status = watch.wait(&mut running.std).await?;
        self.state = State::Exited(status);
        Ok(status)
    }

    /// The child's status if it has exited (it is then reaped), `None` if
    /// it is still running. Never blocks.
    ///
    /// # Errors
    ///
    /// If `waitpid` fails.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        match &mut self.state {
            State::Exited(status) => Ok(Some(*status)),
            State::Running(running) => {
                let status = running.std.try_wait()?;
                if let Some(status) = status {
                    self.state = State::Exited(status);
                }
                Ok(status)
            }
        }
    }

    /// Sends SIGKILL to the child, without waiting for it to exit (it
    /// still has to be reaped: [`wait`](Self::wait) for it).
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) if the child has
    /// already been reaped, or the error of `kill`.
    pub fn start_kill(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Exited(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot kill a child process that has already been reaped",
            )),
            State::Running(running) => running.std.kill(),
        }
    }

    /// Kills the child (SIGKILL) and waits for it to exit.
    ///
    /// # Errors
    ///
    /// As [`start_kill`](Self::start_kill), then as [`wait`](Self::wait).
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Child");
        match &self.state {
            State::Running(running) => d.field("pid", &running.std.id()),
            State::Exited(status) => d.field("status", status),
        };
        d.finish_non_exhaustive()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let State::Running(running) = &mut self.state {
            if running.kill_on_drop {
                // It may have exited already: nothing to do then.
                let _ = running.std.kill();
            }
            // Its watch is dropped here: the reaper makes its own.
            running.watch = None;
            let placeholder = State::Exited(std::os::unix::process::ExitStatusExt::from_raw(0));
            if let State::Running(running) = std::mem::replace(&mut self.state, placeholder) {
                reap::orphan(running.std);
            }
        }
    }
}
