//! [`Tokio`]: tokio's current-thread runtime, tasks on a `LocalSet`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use super::{LocalChannel, Rt, Unwrapped};

/// tokio's fastest single-threaded form: `new_current_thread().enable_all()`,
/// the main future inside a `LocalSet`, tasks via `spawn_local`.
///
/// Reads and writes go through `readable()`/`try_read` and
/// `writable()`/`try_write`, which is the path tokio's own `AsyncRead` and
/// `AsyncWrite` impls take (without pulling in its `io-util` feature).
#[derive(Debug)]
pub struct Tokio;

impl Rt for Tokio {
    const NAME: &'static str = "tokio";
    type Stream = tokio::net::TcpStream;
    type Listener = tokio::net::TcpListener;
    type LocalChannel = TokioMpsc;

    fn block_on<F: Future>(future: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio: cannot build a runtime");
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, future)
    }

    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Unpin + 'static
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrapped(tokio::task::spawn_local(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + 'static,
    {
        // Dropping a tokio JoinHandle detaches the task.
        drop(tokio::task::spawn_local(future));
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + 'static {
        tokio::time::sleep(duration)
    }

    fn yield_now() -> impl Future<Output = ()> + 'static {
        tokio::task::yield_now()
    }

    async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        tokio::net::TcpListener::bind(addr).await
    }

    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }

    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn read<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<usize> {
        loop {
            stream.readable().await?;
            match stream.try_read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                result => return result,
            }
        }
    }

    async fn write_all<'a>(stream: &'a mut Self::Stream, mut buf: &'a [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            stream.writable().await?;
            match stream.try_write(buf) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// `tokio::sync::mpsc::channel`: tokio's bounded channel (its tasks run on
/// one thread here, in a `LocalSet`, but the channel is the thread-safe one:
/// tokio has no single-thread channel).
#[derive(Debug)]
pub struct TokioMpsc;

impl LocalChannel for TokioMpsc {
    type Sender = tokio::sync::mpsc::Sender<u64>;
    type Receiver = tokio::sync::mpsc::Receiver<u64>;

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        tokio::sync::mpsc::channel(capacity)
    }

    async fn send(tx: &Self::Sender, value: u64) -> bool {
        tx.send(value).await.is_ok()
    }

    async fn recv(rx: &mut Self::Receiver) -> Option<u64> {
        rx.recv().await
    }
}
