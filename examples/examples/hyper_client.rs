//! Idea: hyper's client runs on solo: a handshake over a solo `TcpStream`,
//! the connection driven by a solo task, two GETs on that one connection.
//! Without `--addr` it starts `hyper_server` in-process and asks it.
//!
//! `cargo run -p examples --features hyper --example hyper_client`
//! (or `-- --addr 127.0.0.1:8080` against a running `hyper_server`).

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

use examples::hyper_client::{BoxError, Client};
use examples::hyper_server::{self, Stats};

fn main() -> ExitCode {
    let addr = match examples::parse_addr(std::env::args().skip(1), "") {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("{msg}\nusage: hyper_client [--addr HOST:PORT]");
            return ExitCode::from(2);
        }
    };
    let result: Result<(), BoxError> = solo::block_on(async {
        let addr = if addr.is_empty() {
            let listener = solo::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?.to_string();
            let stats = Rc::new(RefCell::new(Stats::default()));
            solo::spawn(hyper_server::serve(
                listener,
                stats,
                hyper_server::HEADER_TIMEOUT,
            ));
            addr
        } else {
            addr
        };
        let mut client = Client::connect(addr.as_str()).await?;
        for path in ["/", "/stats"] {
            let (status, body) = client.get(path).await?;
            print!("GET {path}: {status}\n{body}");
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hyper_client: {e}");
            ExitCode::FAILURE
        }
    }
}
