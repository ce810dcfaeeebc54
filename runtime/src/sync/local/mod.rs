//! Channels and locks for tasks of one runtime: no atomics, no locks.
//!
//! solo runs every task on one thread, so two tasks of one runtime need no
//! thread-safe synchronisation between them. These types are built on
//! `Rc`, `Cell` and `RefCell`: the channel and oneshot halves are `!Send`,
//! the locks and `Notify` are `!Sync` (so the `Rc` that shares one between
//! tasks is `!Send`), and none can be shared with another thread. Each has
//! the shape of its thread-safe namesake in [`solo::sync`](crate::sync),
//! so switching is changing `sync::` to `sync::local::`:
//!
//! * [`bounded`] and [`unbounded`]: multi-producer, **single-consumer**
//!   channels (the [`Receiver`] is not `Clone`), with `async-channel`'s
//!   methods and errors. A full bounded channel makes `send().await` wait,
//!   senders served oldest first. When every [`Sender`] drops, `recv`
//!   drains what is left, then returns [`RecvError`]; when the receiver
//!   drops, the queued values drop and `send` returns its value in
//!   [`SendError`].
//! * [`oneshot`]: one value, once; a synchronous `send`.
//! * [`Notify`]: wakes one waiter (or stores a permit), or all of them.
//! * [`Mutex`] and [`RwLock`]: fair, FIFO, await-able locks whose guards
//!   may be held across `.await`; [`Semaphore`]: a fair count of permits.
//!
//! Dropping any of their futures before it completes (a `select!` branch
//! that lost, a timeout) loses no value and strands no other waiter: what
//! it was woken for or handed passes to the next in line.
//!
//! ```
//! use solo::sync::local;
//!
//! solo::block_on(async {
//!     let (tx, rx) = local::unbounded();
//!     for id in 0..3 {
//!         let tx = tx.clone();
//!         solo::spawn(async move { tx.send(id).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut ids = Vec::new();
//!     while let Ok(id) = rx.recv().await {
//!         ids.push(id);
//!     }
//!     ids.sort();
//!     assert_eq!(ids, [0, 1, 2]);
//! });
//! ```
//!
//! The compiler keeps them on the thread: a channel half cannot be moved
//! to another thread or into [`spawn_blocking`](crate::task::spawn_blocking),
//! and a lock cannot be shared with one:
//!
//! ```compile_fail
//! let (tx, _rx) = solo::sync::local::bounded::<u32>(1);
//! std::thread::spawn(move || drop(tx));
//! ```
//!
//! ```compile_fail
//! let lock = std::sync::Arc::new(solo::sync::local::Mutex::new(0));
//! std::thread::spawn(move || drop(lock));
//! ```

mod channel;
mod error;
mod mutex;
mod notify;
pub mod oneshot;
mod rwlock;
mod semaphore;
mod wait_list;

pub use channel::{bounded, unbounded, Receiver, Recv, Send, Sender};
pub use error::{RecvError, SendError, TryRecvError, TrySendError};
pub use mutex::{Lock, Mutex, MutexGuard};
pub use notify::{Notified, Notify};
pub use rwlock::{Read, RwLock, RwLockReadGuard, RwLockWriteGuard, Write};
pub use semaphore::{Acquire, Semaphore, SemaphoreGuard};
