//! A mio source registered with the current runtime's reactor.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use mio::event::Source;

use crate::context::{self, Core};
use crate::reactor::{Direction, Key, Slot};

/// Owns a mio source and its registration. Operations retry until they
/// return `WouldBlock`, then clear the cached readiness and wait for the
/// next event. Dropping it deregisters the source first, then closes it.
pub(crate) struct PollEvented<E: Source> {
    io: Option<E>,
    core: Rc<Core>,
    key: Key,
}

impl<E: Source> PollEvented<E> {
    /// Registers `io` with the runtime running on this thread.
    pub(crate) fn new(mut io: E) -> io::Result<Self> {
        let core = context::current_or_io_error()?;
        let key = core.reactor.register(&mut io)?;
        Ok(PollEvented {
            io: Some(io),
            core,
            key,
        })
    }

    pub(crate) fn get_ref(&self) -> &E {
        // `io` is only `None` inside `drop` and `into_inner`.
        self.io
            .as_ref()
            .expect("PollEvented used after it was taken apart")
    }

    /// Runs `op` once the source is ready in `dir`, until it does not return
    /// `WouldBlock`.
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            if self.core.reactor.poll_ready(self.key, dir, cx).is_pending() {
                if !self.core.is_current() {
                    return Poll::Ready(Err(outside_runtime()));
                }
                return Poll::Pending;
            }
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.core.reactor.clear_ready(self.key, dir);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return Poll::Ready(result),
            }
        }
    }

    /// Forgets the readiness in `dir`, closed and error states included:
    /// an operation returned `WouldBlock`.
    pub(crate) fn clear_ready(&self, dir: Direction) {
        self.core.reactor.clear_ready(self.key, dir);
    }

    /// Forgets the plain readiness in `dir`, keeping closed and error
    /// states: an operation that did not block showed the socket drained
    /// (or full).
    pub(crate) fn clear_drained(&self, dir: Direction) {
        self.core.reactor.clear_drained(self.key, dir);
    }

    /// Whether the source reached a final state in `dir` (closed or error).
    pub(crate) fn is_final(&self, dir: Direction) -> bool {
        self.core.reactor.is_final(self.key, dir)
    }

    /// Ready once the source has (or may have) readiness in `dir`.
    pub(crate) fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.core.reactor.poll_ready(self.key, dir, cx).is_ready() {
            return Poll::Ready(Ok(()));
        }
        if !self.core.is_current() {
            return Poll::Ready(Err(outside_runtime()));
        }
        Poll::Pending
    }

    /// Waits until the source has (or may have) readiness in `dir`. The
    /// future's waker is removed from the reactor when it is dropped.
    pub(crate) fn ready(&self, dir: Direction) -> Readiness<'_, E> {
        Readiness {
            evented: self,
            dir,
            slot: None,
        }
    }

    /// Waits for readiness in `dir`, then runs `op` until it does not return
    /// `WouldBlock`: the future form of [`poll_io`](Self::poll_io).
    pub(crate) async fn io<R>(
        &self,
        dir: Direction,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            self.ready(dir).await?;
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_ready(dir),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    /// Deregisters and gives the source back.
    pub(crate) fn into_inner(mut self) -> E {
        let mut io = self
            .io
            .take()
            .expect("PollEvented used after it was taken apart");
        if let Err(e) = self.core.reactor.deregister(&mut io, self.key) {
            log::debug!("deregister failed: {e}");
        }
        io
    }
}

impl<E: Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregister first, then close; ignore errors: destructors must not panic.
            let _ = self.core.reactor.deregister(&mut io, self.key);
            drop(io);
        }
    }
}

/// The future [`PollEvented::ready`] returns.
pub(crate) struct Readiness<'a, E: Source> {
    evented: &'a PollEvented<E>,
    dir: Direction,
    /// Where this future's waker is in the reactor, once it waited.
    slot: Option<Slot>,
}

impl<E: Source> Future for Readiness<'_, E> {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let ev = this.evented;
        if ev
            .core
            .reactor
            .poll_ready_slot(ev.key, this.dir, cx, &mut this.slot)
            .is_ready()
        {
            return Poll::Ready(Ok(()));
        }
        if !ev.core.is_current() {
            return Poll::Ready(Err(outside_runtime()));
        }
        Poll::Pending
    }
}

impl<E: Source> Drop for Readiness<'_, E> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            let ev = self.evented;
            ev.core.reactor.drop_slot(ev.key, self.dir, slot);
        }
    }
}

pub(crate) fn outside_runtime() -> io::Error {
    io::Error::other("solo socket used outside the runtime that created it")
}
