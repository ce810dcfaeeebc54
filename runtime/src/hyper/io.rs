//! hyper's [`Read`] and [`Write`] on solo's streams, through their
//! `futures-io` impls (one read path, one write path per socket).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::{Read, ReadBufCursor, Write};

/// The most one read asks of the socket. hyper hands each read a fresh,
/// uninitialised buffer, which is zeroed before the socket fills it: the
/// cap bounds that zeroing (hyper's HTTP/1.1 buffer grows to hundreds of
/// KiB under load) to about the cost of copying what the read returns.
const MAX_READ: usize = 64 * 1024;

/// Implements hyper's traits on a stream type whose `&Stream` implements
/// `futures_io::AsyncRead + AsyncWrite` with `writev` behind
/// `poll_write_vectored`.
macro_rules! hyper_io {
    ($stream:ty) => {
        /// Reads at most 64 KiB into hyper's buffer, after
        /// zeroing the part not yet initialised (never handing the socket
        /// uninitialised memory as a `&mut [u8]`).
        impl Read for $stream {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                mut buf: ReadBufCursor<'_>,
            ) -> Poll<io::Result<()>> {
                let mut stream: &$stream = &self;
                let len = buf.remaining().min(MAX_READ);
                let dst = buf.initialize_unfilled_to(len);
                let n = match Pin::new(&mut stream).poll_read(cx, dst) {
                    Poll::Ready(Ok(n)) => n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                };
                // SAFETY: `initialize_unfilled_to(len)` initialised the
                // first `len` bytes of the unfilled part, and the read
                // wrote `n <= len` of them (a read never reports more than
                // the slice it was given).
                unsafe { buf.advance(n) };
                Poll::Ready(Ok(()))
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
    use std::pin::Pin;

    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    use hyper::rt::{Read, ReadBuf, Write};

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
