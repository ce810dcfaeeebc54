//! The halves a byte stream splits into, written once for every stream
//! type ([`TcpStream`](crate::net::TcpStream) and, on Unix,
//! [`UnixStream`](crate::net::UnixStream)).
//!
//! [`stream_halves!`] expands, in the module of the stream type it names,
//! to that stream's borrowed halves (`ReadHalf`, `WriteHalf`, made by its
//! `split`), owned halves (`OwnedReadHalf`, `OwnedWriteHalf`, made by its
//! `into_split`) and `ReuniteError`: distinct types per stream, as in
//! tokio, with one implementation. A macro rather than generic types so
//! that each stream keeps its own named, documented halves.
//!
//! The stream type must have these methods, with the meaning they have on
//! `TcpStream`: `local_addr`, `peer_addr` (returning `$addr`), `ready`,
//! `readable`, `writable`, `try_read`, `try_read_vectored`, `try_write`,
//! `try_write_vectored`, `shutdown`, and the crate-private
//! `poll_read_priv`, `poll_write_priv`, `poll_write_vectored_priv`,
//! `poll_close_priv` behind its `AsyncRead` and `AsyncWrite` impls.
//!
//! The borrowed halves are shared references to the one stream; the read
//! direction and the write direction each keep their own waker, so the two
//! halves may wait at the same time. The owned halves share the stream
//! through an `Rc`: they may move into different tasks of the runtime that
//! made the stream, not to other threads. The socket closes when the last
//! half is dropped.

/// Defines the split halves of `$stream` (whose addresses are `$addr`) in
/// the invoking module, and the crate-private `split`, `split_owned`
/// functions that make them. See the module docs.
macro_rules! stream_halves {
    ($stream:ident, $addr:ty) => {
        #[doc = concat!("The read half of a [`", stringify!($stream), "`], borrowed by [`", stringify!($stream), "::split`].")]
        ///
        /// It implements [`AsyncRead`](futures_io::AsyncRead). Dropping it
        /// does nothing to the stream.
        #[derive(Debug)]
        pub struct ReadHalf<'a>(&'a $stream);

        #[doc = concat!("The write half of a [`", stringify!($stream), "`], borrowed by [`", stringify!($stream), "::split`].")]
        ///
        /// It implements [`AsyncWrite`](futures_io::AsyncWrite); its
        /// `close` shuts down the stream's write direction, so the peer
        /// reads end-of-file. Dropping it does nothing to the stream
        /// (unlike [`OwnedWriteHalf`]).
        #[derive(Debug)]
        pub struct WriteHalf<'a>(&'a $stream);

        #[doc = concat!("The read half of a [`", stringify!($stream), "`], owned: made by [`", stringify!($stream), "::into_split`].")]
        ///
        /// It implements [`AsyncRead`](futures_io::AsyncRead). Dropping it
        /// closes nothing while the [`OwnedWriteHalf`] lives; the socket
        /// closes when both are gone.
        #[derive(Debug)]
        pub struct OwnedReadHalf {
            inner: ::std::rc::Rc<$stream>,
        }

        #[doc = concat!("The write half of a [`", stringify!($stream), "`], owned: made by [`", stringify!($stream), "::into_split`].")]
        ///
        /// It implements [`AsyncWrite`](futures_io::AsyncWrite). Dropping
        /// it shuts down the stream's write direction, so the peer reads
        /// end-of-file, unless it was given up with
        /// [`forget`](Self::forget) or already shut down by `close`. The
        /// read half keeps working either way.
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            inner: ::std::rc::Rc<$stream>,
            /// Whether dropping it shuts down the write direction.
            shutdown_on_drop: bool,
        }

        /// The halves given to [`OwnedReadHalf::reunite`] came from
        /// different streams. Both are handed back, unchanged: `.0` is the
        /// read half, `.1` the write half.
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl ::std::fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("tried to reunite halves that are not from the same socket")
            }
        }

        impl ::std::error::Error for ReuniteError {}

        pub(crate) fn split(stream: &mut $stream) -> (ReadHalf<'_>, WriteHalf<'_>) {
            (ReadHalf(stream), WriteHalf(stream))
        }

        pub(crate) fn split_owned(stream: $stream) -> (OwnedReadHalf, OwnedWriteHalf) {
            let inner = ::std::rc::Rc::new(stream);
            let read = OwnedReadHalf {
                inner: inner.clone(),
            };
            let write = OwnedWriteHalf {
                inner,
                shutdown_on_drop: true,
            };
            (read, write)
        }

        fn reunite(
            read: OwnedReadHalf,
            mut write: OwnedWriteHalf,
        ) -> ::std::result::Result<$stream, ReuniteError> {
            if !::std::rc::Rc::ptr_eq(&read.inner, &write.inner) {
                return Err(ReuniteError(read, write));
            }
            write.shutdown_on_drop = false;
            drop(write);
            // The two halves held the only references (nothing else can
            // clone `inner`), and the write half is gone: this one is the
            // last.
            Ok(::std::rc::Rc::into_inner(read.inner)
                .expect("a reunited read half holds the last reference"))
        }

        $crate::net::split::stream_halves!(@read ReadHalf<'_>, $stream, $addr, 0);
        $crate::net::split::stream_halves!(@read OwnedReadHalf, $stream, $addr, inner);
        $crate::net::split::stream_halves!(@write WriteHalf<'_>, $stream, $addr, 0);
        $crate::net::split::stream_halves!(@write OwnedWriteHalf, $stream, $addr, inner);

        impl OwnedReadHalf {
            /// Puts the stream back together with `other`, its write half;
            /// the write direction is not shut down. If `other` came from a
            /// different stream, both halves come back in the error.
            pub fn reunite(self, other: OwnedWriteHalf) -> ::std::result::Result<$stream, ReuniteError> {
                reunite(self, other)
            }
        }

        impl OwnedWriteHalf {
            /// Puts the stream back together with `other`, its read half;
            /// see [`OwnedReadHalf::reunite`].
            pub fn reunite(self, other: OwnedReadHalf) -> ::std::result::Result<$stream, ReuniteError> {
                reunite(other, self)
            }

            /// Drops this half without shutting down the write direction:
            /// the peer reads no end-of-file until the read half is dropped
            /// too (which closes the socket).
            pub fn forget(mut self) {
                self.shutdown_on_drop = false;
                drop(self);
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    // Errors are ignored: destructors must not panic, and a
                    // peer that already went away needs no end-of-file.
                    let _ = self.inner.shutdown(::std::net::Shutdown::Write);
                }
            }
        }

        impl ::futures_io::AsyncWrite for OwnedWriteHalf {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.inner.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.inner.poll_write_vectored_priv(cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::std::task::Poll::Ready(Ok(())) // writes go straight to the socket
            }

            /// Shuts down the stream's write direction: the peer reads
            /// end-of-file, and the drop has nothing left to do.
            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let this = self.get_mut();
                let result = this.inner.poll_close_priv();
                if let ::std::task::Poll::Ready(Ok(())) = result {
                    this.shutdown_on_drop = false;
                }
                result
            }
        }

        impl ::futures_io::AsyncWrite for WriteHalf<'_> {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.0.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.0.poll_write_vectored_priv(cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::std::task::Poll::Ready(Ok(())) // writes go straight to the socket
            }

            /// Shuts down the stream's write direction: the peer reads
            /// end-of-file.
            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                self.0.poll_close_priv()
            }
        }
    };

    // What both halves of one direction share: the addresses, `ready`,
    // and that direction's `AsRef`, readiness and `try_*` methods.
    (@common $half:ty, $stream:ident, $addr:ty, $field:tt) => {
        impl $half {
            /// The remote address.
            pub fn peer_addr(&self) -> ::std::io::Result<$addr> {
                self.$field.peer_addr()
            }

            /// The local address.
            pub fn local_addr(&self) -> ::std::io::Result<$addr> {
                self.$field.local_addr()
            }

            #[doc = concat!("Waits until the stream is ready in `interest`; see [`", stringify!($stream), "::ready`].")]
            pub async fn ready(
                &self,
                interest: $crate::io::Interest,
            ) -> ::std::io::Result<$crate::io::Ready> {
                self.$field.ready(interest).await
            }
        }

        impl AsRef<$stream> for $half {
            fn as_ref(&self) -> &$stream {
                &self.$field
            }
        }
    };

    (@read $half:ty, $stream:ident, $addr:ty, $field:tt) => {
        $crate::net::split::stream_halves!(@common $half, $stream, $addr, $field);

        impl $half {
            #[doc = concat!("Waits until the stream is (or may be) readable; see [`", stringify!($stream), "::readable`].")]
            pub async fn readable(&self) -> ::std::io::Result<()> {
                self.$field.readable().await
            }

            #[doc = concat!("Reads without waiting; see [`", stringify!($stream), "::try_read`].")]
            pub fn try_read(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                self.$field.try_read(buf)
            }

            #[doc = concat!("Reads into several buffers without waiting; see [`", stringify!($stream), "::try_read_vectored`].")]
            pub fn try_read_vectored(
                &self,
                bufs: &mut [::std::io::IoSliceMut<'_>],
            ) -> ::std::io::Result<usize> {
                self.$field.try_read_vectored(bufs)
            }
        }

        impl ::futures_io::AsyncRead for $half {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.$field.poll_read_priv(cx, buf)
            }
        }
    };

    (@write $half:ty, $stream:ident, $addr:ty, $field:tt) => {
        $crate::net::split::stream_halves!(@common $half, $stream, $addr, $field);

        impl $half {
            #[doc = concat!("Waits until the stream is (or may be) writable; see [`", stringify!($stream), "::writable`].")]
            pub async fn writable(&self) -> ::std::io::Result<()> {
                self.$field.writable().await
            }

            #[doc = concat!("Writes without waiting; see [`", stringify!($stream), "::try_write`].")]
            pub fn try_write(&self, buf: &[u8]) -> ::std::io::Result<usize> {
                self.$field.try_write(buf)
            }

            #[doc = concat!("Writes from several buffers without waiting; see [`", stringify!($stream), "::try_write_vectored`].")]
            pub fn try_write_vectored(
                &self,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::io::Result<usize> {
                self.$field.try_write_vectored(bufs)
            }
        }
    };
}

pub(crate) use stream_halves;
