//! hyper and axum on solo, over loopback: the `hyper` feature's examples
//! (`cargo test -p examples --features hyper`). Every wait is bounded by
//! [`LIMIT`].

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use examples::axum_app::{self, AppState, User};
use examples::h2c::{self, Held};
use examples::hyper_client::{self, Client};
use examples::hyper_server::{self, Stats, HELLO};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use solo::io::{AsyncReadExt, AsyncWriteExt};
use solo::net::{TcpListener, TcpStream};
use solo::time::{timeout, Instant};

/// The longest any test waits for anything.
const LIMIT: Duration = Duration::from_secs(20);

/// Runs `f` on a fresh runtime, failing if it takes longer than [`LIMIT`].
fn run<F: Future>(f: F) -> F::Output {
    solo::block_on(async { timeout(LIMIT, f).await.expect("the test took too long") })
}

/// A `hyper_server` on a loopback port: its address and stats.
async fn start_server(header_timeout: Duration) -> (String, Rc<RefCell<Stats>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stats = Rc::new(RefCell::new(Stats::default()));
    solo::spawn(hyper_server::serve(listener, stats.clone(), header_timeout));
    (addr, stats)
}

#[test]
fn the_hyper_server_answers_hello_and_404_with_their_bodies() {
    run(async {
        let (addr, _) = start_server(hyper_server::HEADER_TIMEOUT).await;
        let (status, body) = hyper_client::get(addr.as_str(), "/").await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::OK, HELLO));
        let (status, body) = hyper_client::get(addr.as_str(), "/nope").await.unwrap();
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::NOT_FOUND, "not found\n")
        );
    });
}

#[test]
fn two_requests_reuse_one_kept_alive_connection() {
    run(async {
        let (addr, stats) = start_server(hyper_server::HEADER_TIMEOUT).await;
        let mut client = Client::connect(addr.as_str()).await.unwrap();
        let (status, body) = client.get("/").await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::OK, HELLO));
        let (_, body) = client.get("/stats").await.unwrap();
        assert_eq!(body, "connections 1 requests 2\n");
        let counted = *stats.borrow();
        assert_eq!(
            counted,
            Stats {
                connections: 1,
                requests: 2
            }
        );
    });
}

#[test]
fn a_silent_client_is_cut_off_after_the_header_read_timeout() {
    // On a paused clock: the runtime jumps to the timeout once nothing else
    // can happen, so the test takes no real time to wait 3 s.
    let runtime = solo::Builder::new().start_paused(true).build().unwrap();
    runtime.block_on(async {
        let header_timeout = Duration::from_secs(3);
        let (addr, stats) = start_server(header_timeout).await;
        let mut stream = TcpStream::connect(addr.as_str()).await.unwrap();
        let start = Instant::now();
        // Half a request line, then silence.
        stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let mut rest = Vec::new();
        let read = timeout(Duration::from_secs(60), stream.read_to_end(&mut rest)).await;
        let waited = start.elapsed();
        assert!(
            read.is_ok(),
            "the server never closed the silent connection"
        );
        assert!(waited >= header_timeout, "cut off early, after {waited:?}");
        assert!(
            waited < header_timeout + Duration::from_secs(1),
            "cut off late, after {waited:?}"
        );
        assert_eq!(stats.borrow().requests, 0, "no request was served");
    });
}

#[test]
fn a_graceful_shutdown_finishes_the_request_in_flight_then_closes() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop_tx, stop_rx) = solo::sync::local::oneshot::channel::<()>();
        let server = solo::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let stats = Rc::new(RefCell::new(Stats::default()));
            let stop = async move {
                let _ = stop_rx.await;
            };
            hyper_server::serve_connection(stream, stats, hyper_server::HEADER_TIMEOUT, stop).await
        });
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        // The request is in flight (it takes SLOW): shut down now.
        solo::time::sleep(hyper_server::SLOW / 4).await;
        stop_tx.send(()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let response = String::from_utf8(response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.contains("connection: close\r\n"), "{response}");
        assert!(response.ends_with(HELLO), "{response}");
        server.await.unwrap().expect("the connection ended cleanly");
    });
}

#[test]
fn axum_routes_a_path_parameter_to_json_and_counts_visits() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let state = AppState::default();
        solo::spawn(axum_app::serve(listener, state.clone()));

        let mut client = Client::connect(addr.as_str()).await.unwrap();
        for id in [7, 42] {
            let (status, body) = client.get(&format!("/users/{id}")).await.unwrap();
            assert_eq!(status, StatusCode::OK);
            let user: User = serde_json::from_str(&body).unwrap();
            let name = format!("user-{id}");
            assert_eq!(
                user,
                User {
                    id,
                    name,
                    echoed: false
                }
            );
        }
        let (_, visits) = client.get("/visits").await.unwrap();
        assert_eq!(visits, "2");
        let (status, _) = client.get("/users/not-a-number").await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // POST /echo: JSON in, JSON out.
        let stream = TcpStream::connect(addr.as_str()).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(stream).await.unwrap();
        solo::spawn(conn);
        let sent = User {
            id: 3,
            name: "ada".into(),
            echoed: false,
        };
        let req = Request::post("/echo")
            .header("host", addr.as_str())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(serde_json::to_vec(&sent).unwrap())))
            .unwrap();
        let response = sender.send_request(req).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let echoed: User = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            echoed,
            User {
                echoed: true,
                ..sent
            }
        );
    });
}

#[test]
fn h2c_serves_100_concurrent_streams_on_one_connection() {
    const STREAMS: u64 = 100;
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let held = Rc::new(Held::default());
        solo::spawn(h2c::serve(listener, held.clone()));

        let client = h2c::Client::connect(addr).await.unwrap();
        let (status, body) = client.clone().get("/").await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::OK, h2c::HELLO));

        let path = format!("/together/{STREAMS}");
        let requests: Vec<_> = (0..STREAMS)
            .map(|_| {
                let mut client = client.clone();
                let path = path.clone();
                solo::spawn(async move { client.get(&path).await.unwrap() })
            })
            .collect();
        for request in requests {
            let (status, body) = request.await.unwrap();
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body, STREAMS.to_string(), "streams held at once");
        }
        assert_eq!(held.peak(), STREAMS);
        assert_eq!(held.connections(), 1, "all streams on one connection");
    });
}
