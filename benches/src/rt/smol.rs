//! [`Smol`]: a leaked `async_executor::LocalExecutor` on `async-io`.

use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use async_executor::LocalExecutor;
use async_io::{Async, Timer};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

use super::{LocalChannel, Rt};

/// smol's single-threaded form: a `'static` `LocalExecutor` driven by
/// `async_io::block_on(ex.run(..))`. async-io starts a helper thread of its
/// own (it sleeps while the main thread drives the reactor); `getrusage`
/// counts its CPU too.
///
/// The executor is per thread and leaked, so tasks still pending when
/// [`block_on`](Rt::block_on) returns stay in it (never polled again unless
/// a later `block_on` on the same thread runs them).
#[derive(Debug)]
pub struct Smol;

thread_local! {
    static EXECUTOR: &'static LocalExecutor<'static> = Box::leak(Box::new(LocalExecutor::new()));
}

fn executor() -> &'static LocalExecutor<'static> {
    EXECUTOR.with(|ex| *ex)
}

impl Rt for Smol {
    const NAME: &'static str = "smol";
    type Stream = Async<TcpStream>;
    type Listener = Async<TcpListener>;
    type LocalChannel = AsyncChannel;

    fn block_on<F: Future>(future: F) -> F::Output {
        async_io::block_on(executor().run(future))
    }

    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Unpin + 'static
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        executor().spawn(future)
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + 'static,
    {
        executor().spawn(future).detach();
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + 'static {
        let timer = Timer::after(duration);
        async move {
            timer.await;
        }
    }

    fn yield_now() -> impl Future<Output = ()> + 'static {
        futures_lite::future::yield_now()
    }

    async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        Async::<TcpListener>::bind(addr)
    }

    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.get_ref().local_addr()
    }

    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        let (stream, _) = listener.accept().await?;
        stream.get_ref().set_nodelay(true)?;
        Ok(stream)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let stream = Async::<TcpStream>::connect(addr).await?;
        stream.get_ref().set_nodelay(true)?;
        Ok(stream)
    }

    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + 'a {
        stream.read(buf)
    }

    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + 'a {
        stream.write_all(buf)
    }
}

/// `async_channel::bounded`: smol has no single-thread channel.
#[derive(Debug)]
pub struct AsyncChannel;

impl LocalChannel for AsyncChannel {
    type Sender = async_channel::Sender<u64>;
    type Receiver = async_channel::Receiver<u64>;

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        async_channel::bounded(capacity)
    }

    async fn send(tx: &Self::Sender, value: u64) -> bool {
        tx.send(value).await.is_ok()
    }

    async fn recv(rx: &mut Self::Receiver) -> Option<u64> {
        rx.recv().await.ok()
    }
}
