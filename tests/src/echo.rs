//! TCP on loopback: an echo server, and a connected pair.

use std::net::SocketAddr;

use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};

/// Binds a listener to a free port of 127.0.0.1 and spawns, on the current
/// runtime, a task that accepts connections for as long as that runtime
/// runs. Each connection gets a task of its own that writes back every byte
/// it reads, in order, until the peer closes its side or an I/O error
/// occurs; then it drops the connection. Returns the listener's address.
///
/// # Panics
///
/// Outside a runtime (it spawns), or if the listener cannot be bound.
pub async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    solo::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                break;
            };
            solo::spawn(async move {
                let mut buf = vec![0; 4096];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

/// A connected pair of TCP streams on 127.0.0.1: (the side that
/// connected, the side the listener accepted).
///
/// # Panics
///
/// Outside a runtime, or if binding, connecting or accepting fails.
pub async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    let client = TcpStream::connect(addr).await.expect("connect");
    let (server, _) = listener.accept().await.expect("accept");
    (client, server)
}
