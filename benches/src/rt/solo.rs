//! [`Solo`]: this project's runtime.

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt};

use super::{Counters, LocalChannel, Rt, Unwrapped};

/// solo with its default [`Builder`](solo::Builder) settings.
#[derive(Debug)]
pub struct Solo;

thread_local! {
    /// The runtime inside [`Solo::block_on`], for [`Rt::counters`].
    static CURRENT: RefCell<Option<Rc<solo::Runtime>>> = const { RefCell::new(None) };
}

impl Rt for Solo {
    const NAME: &'static str = "solo";
    type Stream = solo::net::TcpStream;
    type Listener = solo::net::TcpListener;
    type LocalChannel = SoloLocal;

    fn block_on<F: Future>(future: F) -> F::Output {
        let rt = Rc::new(solo::Runtime::new().expect("solo: cannot build a runtime"));
        CURRENT.with(|c| *c.borrow_mut() = Some(rt.clone()));
        let out = rt.block_on(future);
        CURRENT.with(|c| c.borrow_mut().take());
        out
    }

    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Unpin + 'static
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrapped(solo::spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + 'static,
    {
        // Dropping a solo JoinHandle detaches the task.
        drop(solo::spawn(future));
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + 'static {
        solo::time::sleep(duration)
    }

    fn yield_now() -> impl Future<Output = ()> + 'static {
        solo::task::yield_now()
    }

    async fn bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        solo::net::TcpListener::bind(addr).await
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
        let stream = solo::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
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

    fn counters() -> Option<Counters> {
        CURRENT.with(|c| {
            c.borrow().as_ref().map(|rt| {
                let m = rt.metrics();
                Counters {
                    parks: m.parks,
                    timers_fired: m.timers_fired,
                }
            })
        })
    }
}

/// `solo::sync::local::bounded`.
#[derive(Debug)]
pub struct SoloLocal;

impl LocalChannel for SoloLocal {
    type Sender = solo::sync::local::Sender<u64>;
    type Receiver = solo::sync::local::Receiver<u64>;

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        solo::sync::local::bounded(capacity)
    }

    async fn send(tx: &Self::Sender, value: u64) -> bool {
        tx.send(value).await.is_ok()
    }

    async fn recv(rx: &mut Self::Receiver) -> Option<u64> {
        rx.recv().await.ok()
    }
}
