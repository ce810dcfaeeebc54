//! Idea: an axum `Router` runs on solo, through hyper. `GET /users/{id}`
//! answers JSON, `POST /echo` sends JSON back, `GET /visits` counts the
//! user lookups in an atomic shared by every connection. Ctrl-C stops it.
//!
//! `cargo run -p examples --features hyper --example axum_app -- --addr 127.0.0.1:8080`
//! then `curl http://127.0.0.1:8080/users/7`.

use std::process::ExitCode;

use examples::axum_app::{self, AppState};

fn main() -> ExitCode {
    let addr = match examples::parse_addr(std::env::args().skip(1), "127.0.0.1:8080") {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("{msg}\nusage: axum_app [--addr HOST:PORT]");
            return ExitCode::from(2);
        }
    };
    let result = solo::block_on(async {
        let listener = solo::net::TcpListener::bind(addr.as_str()).await?;
        println!(
            "listening on http://{} (Ctrl-C stops)",
            listener.local_addr()?
        );
        let server = axum_app::serve(listener, AppState::default());
        futures_lite::future::or(server, examples::ctrl_c()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum_app: {e}");
            ExitCode::FAILURE
        }
    }
}
