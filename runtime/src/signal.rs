//! Signals: [`ctrl_c`], for servers that stop cleanly.

use std::io::{self, Read};
use std::os::unix::net::UnixStream;

use signal_hook::consts::SIGINT;
use signal_hook::low_level::{pipe, unregister};
use signal_hook::SigId;

use crate::io::AsyncFd;

/// Completes when the process receives SIGINT (Ctrl-C in a terminal).
///
/// Only SIGINTs that arrive after the first poll count: each call installs
/// its own listener then (a self-pipe that a signal handler writes to,
/// read through [`AsyncFd`]), and removes it when it completes or is
/// dropped. Any number of calls may wait at once; one SIGINT completes
/// them all.
///
/// As with tokio, once `ctrl_c` has been polled, SIGINT no longer kills
/// the process, for the rest of its life: the program decides what Ctrl-C
/// does.
///
/// # Errors
///
/// Outside a runtime, or if the pipe or the handler cannot be set up.
///
/// ```no_run
/// solo::block_on(async {
///     let server = solo::spawn(async { /* serve */ });
///     solo::signal::ctrl_c().await.expect("listen for Ctrl-C");
///     server.abort();
///     println!("stopped");
/// });
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let (reader, writer) = UnixStream::pair()?;
    reader.set_nonblocking(true)?;
    writer.set_nonblocking(true)?;
    let reader = AsyncFd::new(reader)?;
    // From here on a SIGINT writes a byte to `writer`; the guard removes
    // the action (and closes `writer`) however this future ends.
    let _registration = Registration(pipe::register(SIGINT, writer)?);
    let mut buf = [0u8; 16];
    loop {
        let mut guard = reader.readable().await?;
        match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
            Ok(Ok(0)) => return Err(io::Error::other("the signal pipe closed unexpectedly")),
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
            Ok(Err(e)) => return Err(e),
            Err(_would_block) => continue,
        }
    }
}

/// Unregisters the signal action when dropped.
struct Registration(SigId);

impl Drop for Registration {
    fn drop(&mut self) {
        unregister(self.0);
    }
}
