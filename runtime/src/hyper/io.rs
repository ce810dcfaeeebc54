//! hyper's [`Read`] and [`Write`] on solo's streams, through their
//! `futures-io` impls (one read path, one write path per socket).

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::{Read, ReadBufCursor, Write};

/// The most one read asks of the socket.
const MAX_READ: usize = 64 * 1024;

thread_local! {
    /// Where this thread's hyper reads land before they are copied into
    /// hyper's buffer: [`MAX_READ`] bytes, zeroed once, when a thread first
    /// reads (empty until then). hyper hands each read a fresh, uninitialised buffer, which
    /// safe code may only fill after zeroing it; reading here instead costs
    /// a copy of what the read returned, whatever the buffer's size.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// One read of `stream` into `buf`, at most [`MAX_READ`] bytes.
fn poll_read_into<S>(
    mut stream: S,
    cx: &mut Context<'_>,
    mut buf: ReadBufCursor<'_>,
) -> Poll<io::Result<()>>
where
    S: AsyncRead + Unpin,
{
    let len = buf.remaining().min(MAX_READ);
    SCRATCH.with(|scratch| {
        let poll = match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                if scratch.is_empty() {
                    scratch.resize(MAX_READ, 0);
                }
                let dst = &mut scratch[..len];
                let poll = Pin::new(&mut stream).poll_read(cx, dst);
                if let Poll::Ready(Ok(n)) = poll {
                    // A read never reports more than the slice it was given.
                    buf.put_slice(&dst[..n]);
                }
                poll
            }
            // Only if a read ran inside another on this thread (a waker
            // that reads): zero hyper's buffer and read into it directly.
            Err(_) => {
                let dst = buf.initialize_unfilled_to(len);
                let poll = Pin::new(&mut stream).poll_read(cx, dst);
                if let Poll::Ready(Ok(n)) = poll {
                    // SAFETY: `initialize_unfilled_to(len)` initialised the
                    // first `len` bytes of the unfilled part, and the read
                    // wrote `n <= len` of them (a read never reports more
                    // than the slice it was given).
                    unsafe { buf.advance(n) };
                }
                poll
            }
        };
        poll.map_ok(drop)
    })
}

/// Implements hyper's traits on a stream type whose `&Stream` implements
/// `futures_io::AsyncRead + AsyncWrite` with `writev` behind
/// `poll_write_vectored`.
macro_rules! hyper_io {
    ($stream:ty) => {
        /// Reads at most 64 KiB into hyper's buffer, through a scratch
        /// buffer of the thread's (never handing the socket uninitialised
        /// memory as a `&mut [u8]`, and never zeroing hyper's buffer).
        impl Read for $stream {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: ReadBufCursor<'_>,
            ) -> Poll<io::Result<()>> {
                let stream: &$stream = &self;
                poll_read_into(stream, cx, buf)
            }
        }

        /// Writes go straight to the socket (`flush` has nothing to do);
        /// `shutdown` shuts down the write direction, so the peer reads
        /// end-of-file.
        impl Write for $stream {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let mut stream: &$stream = &self;
                Pin::new(&mut stream).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                let mut stream: &$stream = &self;
                Pin::new(&mut stream).poll_write_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let mut stream: &$stream = &self;
                Pin::new(&mut stream).poll_flush(cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let mut stream: &$stream = &self;
                Pin::new(&mut stream).poll_close(cx)
            }
        }
    };
}

hyper_io!(crate::net::TcpStream);
#[cfg(unix)]
hyper_io!(crate::net::UnixStream);

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::io::IoSlice;
    use std::mem::MaybeUninit;
    use std::pin::Pin;

    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    use hyper::rt::{Read, ReadBuf, Write};

    use super::{MAX_READ, SCRATCH};
    use crate::net::{TcpListener, TcpStream};

    async fn tcp_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (client, server)
    }

    /// One hyper read into a buffer of `cap` bytes: what it filled.
    async fn hyper_read<S: Read + Unpin>(stream: &mut S, cap: usize) -> Vec<u8> {
        let mut raw = vec![0u8; cap];
        let mut buf = ReadBuf::new(&mut raw);
        poll_fn(|cx| Pin::new(&mut *stream).poll_read(cx, buf.unfilled()))
            .await
            .unwrap();
        buf.filled().to_vec()
    }

    #[test]
    fn a_hyper_read_fills_the_cursor_with_what_the_peer_sent() {
        crate::block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            server.write_all(b"hello").await.unwrap();
            assert_eq!(hyper_read(&mut client, 64).await, b"hello");
            drop(server);
            assert_eq!(hyper_read(&mut client, 64).await, b"", "end of stream");
        });
    }

    #[test]
    fn a_read_leaves_the_rest_of_hypers_uninitialised_buffer_untouched() {
        crate::block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            server.write_all(b"hello").await.unwrap();
            let mut raw = [MaybeUninit::new(0xAAu8); 4096];
            let mut buf = ReadBuf::uninit(&mut raw);
            poll_fn(|cx| Pin::new(&mut client).poll_read(cx, buf.unfilled()))
                .await
                .unwrap();
            assert_eq!(buf.filled(), b"hello");
            // SAFETY: every byte of `raw` was initialised above (0xAA), and
            // a read only ever writes initialised bytes.
            let rest = raw[5..].iter().map(|b| unsafe { b.assume_init() });
            assert!(
                rest.into_iter().all(|b| b == 0xAA),
                "the read zeroed the rest"
            );
        });
    }

    #[test]
    fn reads_bigger_than_the_cap_return_every_byte_in_order_at_most_64_kib_each() {
        crate::block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            let sent: Vec<u8> = (0..3 * MAX_READ + 123).map(|i| (i % 251) as u8).collect();
            let expected = sent.clone();
            let writer = crate::spawn(async move {
                server.write_all(&sent).await.unwrap();
            });
            let mut got = Vec::new();
            while got.len() < expected.len() {
                let chunk = hyper_read(&mut client, 2 * MAX_READ).await;
                assert!(
                    !chunk.is_empty() && chunk.len() <= MAX_READ,
                    "{}",
                    chunk.len()
                );
                got.extend_from_slice(&chunk);
            }
            assert!(got == expected, "the bytes differ");
            writer.await.unwrap();
        });
    }

    #[test]
    fn a_read_while_the_scratch_buffer_is_borrowed_reads_into_hypers_buffer() {
        crate::block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            server.write_all(b"nested").await.unwrap();
            let mut raw = [MaybeUninit::new(0xAAu8); 64];
            let mut buf = ReadBuf::uninit(&mut raw);
            poll_fn(|cx| {
                SCRATCH.with(|scratch| {
                    let _held = scratch.borrow_mut();
                    Pin::new(&mut client).poll_read(cx, buf.unfilled())
                })
            })
            .await
            .unwrap();
            assert_eq!(buf.filled(), b"nested");
        });
    }

    #[test]
    fn reads_of_two_streams_on_one_thread_keep_their_own_bytes() {
        crate::block_on(async {
            let (mut a, mut a_peer) = tcp_pair().await;
            let (mut b, mut b_peer) = tcp_pair().await;
            a_peer.write_all(b"from a").await.unwrap();
            b_peer.write_all(b"from b, longer").await.unwrap();
            assert_eq!(hyper_read(&mut b, 64).await, b"from b, longer");
            assert_eq!(hyper_read(&mut a, 64).await, b"from a");
        });
    }

    #[test]
    fn a_vectored_hyper_write_sends_every_slice_in_order() {
        crate::block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            assert!(client.is_write_vectored());
            let bufs = [
                IoSlice::new(b"GET "),
                IoSlice::new(b"/ "),
                IoSlice::new(b"HTTP/1.1"),
            ];
            let n = poll_fn(|cx| Pin::new(&mut client).poll_write_vectored(cx, &bufs))
                .await
                .unwrap();
            assert_eq!(n, 14);
            let mut got = [0u8; 14];
            server.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"GET / HTTP/1.1");
        });
    }

    #[test]
    fn a_hyper_shutdown_gives_the_peer_end_of_file() {
        crate::block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            poll_fn(|cx| Pin::new(&mut client).poll_write(cx, b"bye"))
                .await
                .unwrap();
            poll_fn(|cx| Pin::new(&mut client).poll_flush(cx))
                .await
                .unwrap();
            poll_fn(|cx| Pin::new(&mut client).poll_shutdown(cx))
                .await
                .unwrap();
            let mut got = Vec::new();
            server.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"bye");
        });
    }

    #[cfg(unix)]
    #[test]
    fn a_unix_stream_reads_and_writes_through_hyper() {
        crate::block_on(async {
            let (mut a, mut b) = crate::net::UnixStream::pair().unwrap();
            assert!(a.is_write_vectored());
            let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"cd")];
            let n = poll_fn(|cx| Pin::new(&mut a).poll_write_vectored(cx, &bufs))
                .await
                .unwrap();
            assert_eq!(n, 4);
            assert_eq!(hyper_read(&mut b, 2).await, b"ab", "bounded by the cursor");
            assert_eq!(hyper_read(&mut b, 64).await, b"cd");
        });
    }
}
