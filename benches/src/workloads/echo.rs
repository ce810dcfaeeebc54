//! The echo server and client both echo workloads share.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use super::wrong;
use crate::rt::{read_exact, Rt};

/// Bytes per message.
pub const MESSAGE: usize = 64;

/// A listener on an ephemeral port of 127.0.0.1.
pub async fn listen<R: Rt>() -> io::Result<(R::Listener, SocketAddr)> {
    let listener = R::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    let addr = R::local_addr(&listener)?;
    Ok((listener, addr))
}

/// Writes back whatever arrives, until the peer closes its side.
pub async fn serve<R: Rt>(mut stream: R::Stream) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = R::read(&mut stream, &mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        R::write_all(&mut stream, &buf[..n]).await?;
    }
}

/// Sends `rounds` messages of [`MESSAGE`] bytes one at a time, reading each
/// echo before the next; checks the echo is what was sent.
pub async fn client<R: Rt>(stream: &mut R::Stream, rounds: u64) -> io::Result<()> {
    let mut out = [0u8; MESSAGE];
    let mut back = [0u8; MESSAGE];
    for round in 0..rounds {
        out[..8].copy_from_slice(&round.to_le_bytes());
        R::write_all(stream, &out).await?;
        read_exact::<R>(stream, &mut back).await?;
        if back != out {
            return Err(wrong(format!(
                "round {round}: the echo differs from what was sent"
            )));
        }
    }
    Ok(())
}
