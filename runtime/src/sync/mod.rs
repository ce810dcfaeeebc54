//! Channels and locks for tasks, and between tasks and other threads.
//!
//! solo re-exports well-kept runtime-agnostic crates here, as smol does,
//! rather than growing its own: they wake whatever [`Waker`] they are
//! polled with, and solo's wakers may be woken from any thread, so every
//! type here works between two tasks, between a task and a plain
//! [`std::thread`], and between a task and [`spawn_blocking`] work.
//!
//! * [`bounded`] and [`unbounded`] (from `async-channel`): multi-producer,
//!   multi-consumer channels. A full bounded channel makes `send().await`
//!   wait (back-pressure); `send_blocking` and `recv_blocking` serve plain
//!   threads. The channel closes when every [`Sender`] (or every
//!   [`Receiver`]) is dropped: `recv` then drains what is left and returns
//!   [`RecvError`].
//! * [`oneshot`] (from `futures-channel`): one value, once. Its
//!   [`send`](oneshot::Sender::send) is synchronous, so a thread, a drop
//!   guard or a callback can answer without an executor; dropping the
//!   sender makes the receiver yield [`oneshot::Canceled`].
//! * [`Mutex`], [`RwLock`] and [`Semaphore`] (from `async-lock`): fair,
//!   await-able locks whose guards may be held across `.await`.
//! * [`Notify`]: wakes one waiter, or all, without passing data.
//!
//! Which to pick: [`local`] has the same channels, `oneshot`, `Notify`,
//! `Mutex`, `RwLock` and `Semaphore` for tasks talking to tasks of the same
//! runtime, without atomics or locks (they are `!Send` or `!Sync`, so the
//! compiler enforces it); use the thread-safe types here for anything that
//! crosses a thread, [`spawn_blocking`] work included.
//!
//! ```
//! use solo::sync;
//!
//! solo::block_on(async {
//!     let (tx, rx) = sync::bounded::<u32>(2);
//!     // A plain thread produces; `send_blocking` waits while the channel is full.
//!     let producer = std::thread::spawn(move || {
//!         for i in 1..=5 {
//!             tx.send_blocking(i).unwrap();
//!         }
//!     }); // `tx` drops here: the channel closes.
//!     let mut sum = 0;
//!     while let Ok(i) = rx.recv().await {
//!         sum += i;
//!     }
//!     producer.join().unwrap();
//!     assert_eq!(sum, 15);
//! });
//! ```
//!
//! [`Waker`]: std::task::Waker
//! [`spawn_blocking`]: crate::task::spawn_blocking

pub mod local;
mod notify;
pub mod oneshot;

pub use async_channel::{
    bounded, unbounded, Receiver, Recv, RecvError, Send, SendError, Sender, TryRecvError,
    TrySendError,
};
pub use async_lock::{
    Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Semaphore, SemaphoreGuard,
};
pub use notify::{Notified, Notify};
