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
mod stdio;

pub use stdio::{ChildStderr, ChildStdin, ChildStdout};

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{Child as StdChild, Command as StdCommand, ExitStatus, Output, Stdio};

use futures_lite::AsyncReadExt;

use exit::Watch;

/// Builds and starts a child process: [`std::process::Command`]'s
/// builder, with futures to wait for the child (tokio's `Command`).
///
/// The builder methods have std's meaning and return `&mut Command`, so
/// calls chain; a `Command` can spawn any number of children.
pub struct Command {
    std: StdCommand,
    kill_on_drop: bool,
    /// Whether `stdin` was called: [`output`](Command::output) then keeps it.
    stdin_set: bool,
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
    /// [`spawn`](Self::spawn) and [`status`](Self::status), `/dev/null`
    /// for [`output`](Self::output). With
    /// [`Stdio::piped`](std::process::Stdio::piped), the child's
    /// [`stdin`](Child::stdin) field holds the pipe's writing end.
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.stdin_set = true;
        self.std.stdin(cfg);
        self
    }

    /// Sets the child's stdout: inherited by default for
    /// [`spawn`](Self::spawn) and [`status`](Self::status). With
    /// [`Stdio::piped`](std::process::Stdio::piped), the child's
    /// [`stdout`](Child::stdout) field holds the pipe's reading end.
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdout(cfg);
        self
    }

    /// Sets the child's stderr: inherited by default for
    /// [`spawn`](Self::spawn) and [`status`](Self::status). With
    /// [`Stdio::piped`](std::process::Stdio::piped), the child's
    /// [`stderr`](Child::stderr) field holds the pipe's reading end.
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
        let mut std = self.std.spawn()?;
        let (stdin, stdout, stderr) = (std.stdin.take(), std.stdout.take(), std.stderr.take());
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            state: State::Running(Running {
                std,
                watch: None,
                kill_on_drop: self.kill_on_drop,
            }),
        };
        if let Err(e) = child.register(stdin, stdout, stderr) {
            // Nobody can talk to it: do not leave it running (dropping
            // `child` reaps it).
            let _ = child.start_kill();
            return Err(e);
        }
        Ok(child)
    }

    /// Starts the child with stdout and stderr piped (and stdin
    /// `/dev/null` unless [`stdin`](Self::stdin) set it), collects both
    /// while waiting for it to exit, and returns them with its status.
    /// As with tokio, stdout and stderr stay piped for later spawns of
    /// this `Command`.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait_with_output`].
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        self.std.stdout(Stdio::piped());
        self.std.stderr(Stdio::piped());
        let spawned = self.spawn();
        // Leave the command as it was for the next spawn.
        if !self.stdin_set {
            self.std.stdin(Stdio::inherit());
        }
        spawned?.wait_with_output().await
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
            stdin_set: false,
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
    /// The writing end of the child's stdin, if it was
    /// [`piped`](std::process::Stdio::piped); take it to use it.
    pub stdin: Option<ChildStdin>,
    /// The reading end of the child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The reading end of the child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
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
    fn register(
        &mut self,
        stdin: Option<std::process::ChildStdin>,
        stdout: Option<std::process::ChildStdout>,
        stderr: Option<std::process::ChildStderr>,
    ) -> io::Result<()> {
        self.stdin = stdin.map(ChildStdin::new).transpose()?;
        self.stdout = stdout.map(ChildStdout::new).transpose()?;
        self.stderr = stderr.map(ChildStderr::new).transpose()?;
        Ok(())
    }

    /// The child's process id, or `None` once it has been reaped (by
    /// [`wait`](Self::wait) or [`try_wait`](Self::try_wait)), when the id
    /// may have been given to another process.
    pub fn id(&self) -> Option<u32> {
        match &self.state {
            State::Running(running) => Some(running.std.id()),
            State::Exited(_) => None,
        }
    }

    /// Closes the child's [`stdin`](Self::stdin) if it is still here (so
    /// that a child reading it to the end can finish), then waits for the
    /// child to exit and returns its status. Once it has exited, every call
    /// returns the same status at once.
    ///
    /// Cancel-safe: dropping the future loses nothing, a later call waits
    /// on.
    ///
    /// # Errors
    ///
    /// If the exit cannot be watched (outside a runtime, out of
    /// descriptors) or `waitpid` fails.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
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

    /// Waits for the child to exit while reading its piped stdout and
    /// stderr to the end, both at once so that a child filling one pipe
    /// never blocks; what was not piped is returned empty. Closes stdin
    /// first, as [`wait`](Self::wait) does.
    ///
    /// # Errors
    ///
    /// The first error of reading either pipe or of waiting.
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        async fn read_all<R: futures_io::AsyncRead + Unpin>(
            pipe: Option<R>,
        ) -> io::Result<Vec<u8>> {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_end(&mut bytes).await?;
            }
            Ok(bytes)
        }
        let (stdout, stderr) = futures_lite::future::try_zip(
            read_all(self.stdout.take()),
            read_all(self.stderr.take()),
        )
        .await?;
        let status = self.wait().await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
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
        // Any value will do in place of the state: the `Child` is going.
        let gone = State::Exited(std::os::unix::process::ExitStatusExt::from_raw(0));
        if let State::Running(mut running) = std::mem::replace(&mut self.state, gone) {
            if running.kill_on_drop {
                // It may have exited already: nothing to do then.
                let _ = running.std.kill();
            }
            // The watch closes here; the reaper makes its own.
            drop(running.watch);
            reap::orphan(running.std);
        }
    }
}
