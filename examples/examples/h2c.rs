//! Idea: HTTP/2 multiplexes many requests on one connection, and solo runs
//! both ends with a `!Send` service. The client sends 100 requests at once
//! as 100 streams of one connection; the server holds each until all 100
//! are in flight, so each answers `100`. `--serve` only serves.
//!
//! `cargo run -p examples --features hyper --example h2c`
//! (or `-- --serve --addr 127.0.0.1:8080`, then
//! `curl --http2-prior-knowledge http://127.0.0.1:8080/`).

use std::process::ExitCode;
use std::rc::Rc;

use examples::h2c::{self, Held};
use examples::hyper_client::BoxError;

const STREAMS: u64 = 100;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let serve_only = args.iter().any(|a| a == "--serve");
    args.retain(|a| a != "--serve");
    let addr = match examples::parse_addr(args.into_iter(), "127.0.0.1:0") {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("{msg}\nusage: h2c [--serve] [--addr HOST:PORT]");
            return ExitCode::from(2);
        }
    };
    let result: Result<(), BoxError> = solo::block_on(async {
        let listener = solo::net::TcpListener::bind(addr.as_str()).await?;
        let local = listener.local_addr()?;
        let held = Rc::new(Held::default());
        if serve_only {
            println!("serving h2c on http://{local} (Ctrl-C stops)");
            let server = h2c::serve(listener, held);
            return Ok(futures_lite::future::or(server, examples::ctrl_c()).await?);
        }
        solo::spawn(h2c::serve(listener, held.clone()));
        let client = h2c::Client::connect(local).await?;
        let path = format!("/together/{STREAMS}");
        let streams: Vec<_> = (0..STREAMS)
            .map(|_| {
                let (mut client, path) = (client.clone(), path.clone());
                solo::spawn(async move { client.get(&path).await })
            })
            .collect();
        let mut answers = Vec::new();
        for stream in streams {
            let (_, body) = stream.await.expect("the request task panicked")?;
            answers.push(body);
        }
        let all = answers.iter().all(|b| *b == STREAMS.to_string());
        println!(
            "{STREAMS} streams on {} connection(s); each saw {} held at once: {}",
            held.connections(),
            held.peak(),
            if all { "ok" } else { "NOT all concurrent" }
        );
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("h2c: {e}");
            ExitCode::FAILURE
        }
    }
}
