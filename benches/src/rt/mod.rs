//! The [`Rt`] trait: what a workload may ask of a runtime, so that the same
//! workload code runs on solo, tokio and smol and only the runtime differs.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

mod smol;
mod solo;
mod tokio;

pub use self::smol::Smol;
pub use self::solo::Solo;
pub use self::tokio::Tokio;

/// A single-threaded async runtime, driven through static functions.
///
/// Every function except [`block_on`](Rt::block_on) must be called from
/// inside `block_on` on the same thread (that is where the runtime lives).
pub trait Rt: 'static {
    /// Short lowercase name, as used on the command line: `solo`, `tokio`, `smol`.
    const NAME: &'static str;
    /// A connected TCP stream, with `TCP_NODELAY` set.
    type Stream: 'static;
    /// A TCP listener.
    type Listener: 'static;
    /// The runtime's own bounded channel for tasks on its thread (the
    /// `pingpong-local` row): solo's `sync::local`, tokio's `sync::mpsc`;
    /// smol has none, so `async-channel`.
    type LocalChannel: LocalChannel;

    /// Builds a fresh runtime, runs `future` on it to completion, and drops
    /// the runtime (and whatever tasks are still pending on it).
    fn block_on<F: Future>(future: F) -> F::Output;

    /// Spawns a task; the returned handle yields its output.
    ///
    /// # Panics
    ///
    /// Awaiting the handle panics if the task panicked or was cancelled: in a
    /// benchmark either means the workload itself is broken.
    fn spawn<F>(future: F) -> impl Future<Output = F::Output> + Unpin + 'static
    where
        F: Future + 'static,
        F::Output: 'static;

    /// Spawns a task that nobody awaits; it runs until done or until the
    /// runtime drops.
    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + 'static;

    /// A future that completes no earlier than `duration` from now.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + 'static;

    /// A future that returns `Pending` once (waking itself), letting other
    /// tasks run.
    fn yield_now() -> impl Future<Output = ()> + 'static;

    /// Binds a listener to `addr`.
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>>;

    /// The address a listener is bound to.
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr>;

    /// Accepts one connection (with `TCP_NODELAY` set).
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + '_;

    /// Connects to `addr` (with `TCP_NODELAY` set).
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>>;

    /// Reads what is available, at most `buf.len()` bytes; `Ok(0)` means the
    /// peer closed its side.
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + 'a;

    /// Writes all of `buf`.
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + 'a;

    /// The runtime's own counters, if it has them (only solo does).
    fn counters() -> Option<Counters> {
        None
    }
}

/// A bounded channel of `u64` between tasks of one runtime.
pub trait LocalChannel: 'static {
    /// The sending half.
    type Sender: 'static;
    /// The receiving half.
    type Receiver: 'static;

    /// A channel holding at most `capacity` values.
    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver);

    /// Sends `value`, waiting while the channel is full; `false` if the
    /// receiver is gone.
    fn send(tx: &Self::Sender, value: u64) -> impl Future<Output = bool> + '_;

    /// The next value, or `None` once every sender is gone.
    fn recv(rx: &mut Self::Receiver) -> impl Future<Output = Option<u64>> + '_;
}

/// Fills `buf` completely, or fails with `UnexpectedEof` if the peer closes first.
pub async fn read_exact<R: Rt>(stream: &mut R::Stream, mut buf: &mut [u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = R::read(stream, buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
    }
    Ok(())
}

/// The subset of a runtime's counters the workloads report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// Calls to the poller (each a potential wake-up of the thread).
    pub parks: u64,
    /// Timers fired so far.
    pub timers_fired: u64,
}

/// The columns of `compare`'s table, by name: the three runtimes, and the
/// mio floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// [`Solo`].
    Solo,
    /// [`Tokio`].
    Tokio,
    /// [`Smol`].
    Smol,
    /// Not a runtime: the same workload written against bare mio, with no
    /// executor (`workloads::echo_floor`), for the workloads that have
    /// one (`Workload::runs_on`). Never in [`Runtime::ALL`].
    Floor,
}

impl Runtime {
    /// The three runtimes, in table order.
    pub const ALL: [Runtime; 3] = [Runtime::Solo, Runtime::Tokio, Runtime::Smol];

    /// Every column of the table, in order: the runtimes, then the floor.
    /// A column's position here is its [`index`](Runtime::index).
    pub const COLUMNS: [Runtime; 4] =
        [Runtime::Solo, Runtime::Tokio, Runtime::Smol, Runtime::Floor];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Solo => Solo::NAME,
            Runtime::Tokio => Tokio::NAME,
            Runtime::Smol => Smol::NAME,
            Runtime::Floor => "floor",
        }
    }

    /// The heading of its column in the table.
    pub fn title(self) -> &'static str {
        match self {
            Runtime::Floor => "mio floor",
            rt => rt.name(),
        }
    }

    /// Its position in [`Runtime::COLUMNS`] (and in [`Runtime::ALL`] for a runtime).
    pub fn index(self) -> usize {
        match self {
            Runtime::Solo => 0,
            Runtime::Tokio => 1,
            Runtime::Smol => 2,
            Runtime::Floor => 3,
        }
    }

    /// Parses a command-line name (`floor` included).
    pub fn from_name(name: &str) -> Option<Runtime> {
        Runtime::COLUMNS.into_iter().find(|r| r.name() == name)
    }
}

/// A join handle whose `Result` output is unwrapped (see [`Rt::spawn`]).
#[derive(Debug)]
pub struct Unwrapped<H>(H);

impl<H, T, E> Future for Unwrapped<H>
where
    H: Future<Output = Result<T, E>> + Unpin,
    E: std::fmt::Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match Pin::new(&mut self.0).poll(cx) {
            Poll::Ready(Ok(v)) => Poll::Ready(v),
            Poll::Ready(Err(e)) => panic!("a benchmark task failed: {e:?}"),
            Poll::Pending => Poll::Pending,
        }
    }
}
