//! Idea: one thread serves many clients. Each client sends text ending in a
//! blank line; the server answers `Hello ` followed by that text and closes.
//! Each connection is a task; Ctrl-C stops the server.
//!
//! `cargo run -p examples --example hello_server -- --addr 127.0.0.1:8080`
//! then, for instance, `printf 'world\n\n' | nc 127.0.0.1 8080`.

use std::process::ExitCode;

const USAGE: &str = "usage: hello_server [--addr HOST:PORT]   (default 127.0.0.1:8080)";

fn main() -> ExitCode {
    let addr = match parse_addr(std::env::args().skip(1)) {
        Ok(addr) => addr,
        Err(msg) => {
            eprintln!("{msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = solo::block_on(async {
        let listener = solo::net::TcpListener::bind(addr.as_str()).await?;
        println!("listening on {} (Ctrl-C stops)", listener.local_addr()?);
        let server = examples::hello_server::serve(listener);
        futures_lite::future::or(server, stop()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hello_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on Ctrl-C (on Unix; elsewhere never).
async fn stop() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        solo::signal::ctrl_c().await?;
        println!("stopping");
        Ok(())
    }
    #[cfg(not(unix))]
    std::future::pending().await
}

fn parse_addr(mut args: impl Iterator<Item = String>) -> Result<String, String> {
    let mut addr = "127.0.0.1:8080".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().ok_or("--addr needs a value")?,
            "-h" | "--help" => return Err("hello_server: a tiny TCP greeter".into()),
            other => match other.strip_prefix("--addr=") {
                Some(a) => addr = a.to_owned(),
                None => return Err(format!("unknown argument {other:?}")),
            },
        }
    }
    Ok(addr)
}
