//! Idea: hyper serves HTTP/1.1 on solo, with a `!Send` service. `GET /`
//! answers `Hello, world!`, `GET /stats` the connections and requests
//! counted in an `Rc<RefCell<_>>`; connections stay alive between requests
//! and a client has 5 s to send its headers. Ctrl-C stops it.
//!
//! `cargo run -p examples --features hyper --example hyper_server -- --addr 127.0.0.1:8080`
//! then `curl http://127.0.0.1:8080/ http://127.0.0.1:8080/stats`.

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

use examples::hyper_server::{self, Stats};

fn main() -> ExitCode {
    let addr = match examples::parse_addr(std::env::args().skip(1), "127.0.0.1:8080") {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("{msg}\nusage: hyper_server [--addr HOST:PORT]");
            return ExitCode::from(2);
        }
    };
    let result = solo::block_on(async {
        let listener = solo::net::TcpListener::bind(addr.as_str()).await?;
        println!(
            "listening on http://{} (Ctrl-C stops)",
            listener.local_addr()?
        );
        let stats = Rc::new(RefCell::new(Stats::default()));
        let server = hyper_server::serve(listener, stats, hyper_server::HEADER_TIMEOUT);
        futures_lite::future::or(server, examples::ctrl_c()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hyper_server: {e}");
            ExitCode::FAILURE
        }
    }
}
