//! hyper's HTTP/1.1 client on solo: a handshake over a
//! [`solo::net::TcpStream`], the connection's task spawned on solo, and
//! requests sent one after another on that one connection (keep-alive).

use std::error::Error;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use solo::net::{TcpStream, ToSocketAddrs};

/// Any error of the client: connecting, HTTP, a body that is not UTF-8.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// One HTTP/1.1 connection to a server.
#[derive(Debug)]
pub struct Client {
    sender: http1::SendRequest<Empty<Bytes>>,
    host: String,
}

impl Client {
    /// Connects to `addr` and does hyper's handshake; the connection runs
    /// on its own solo task until the server or this client closes it.
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<Client, BoxError> {
        let stream = TcpStream::connect(addr).await?;
        let host = stream.peer_addr()?.to_string();
        let (sender, conn) = http1::handshake(stream).await?;
        let peer = host.clone();
        solo::spawn(async move {
            if let Err(e) = conn.await {
                log::debug!("connection to {peer}: {e}");
            }
        });
        Ok(Client { sender, host })
    }

    /// `GET path` on this connection: the status and the body as text.
    /// Fails if the connection closed (the server did not keep it alive).
    pub async fn get(&mut self, path: &str) -> Result<(StatusCode, String), BoxError> {
        self.sender.ready().await?;
        let req = Request::get(path)
            .header(hyper::header::HOST, &self.host)
            .body(Empty::new())?;
        let response = self.sender.send_request(req).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8(body.to_vec())?))
    }
}

/// `GET path` from the server at `addr` on a fresh connection.
pub async fn get(addr: impl ToSocketAddrs, path: &str) -> Result<(StatusCode, String), BoxError> {
    Client::connect(addr).await?.get(path).await
}
