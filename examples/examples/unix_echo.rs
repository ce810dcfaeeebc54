//! Idea: a server and a client over a Unix domain socket. The client sends
//! lines and checks each echo; the server removes its socket file when it
//! stops.
//!
//! `cargo run -p examples --example unix_echo` (a socket in a fresh temp
//! dir), or `-- --path /tmp/echo.sock`; with `--serve` it only serves,
//! until Ctrl-C (try `nc -U /tmp/echo.sock`).

use std::path::PathBuf;
use std::process::ExitCode;

use examples::unix_echo::{client, Server};

const USAGE: &str = "usage: unix_echo [--path SOCKET] [--serve]";

struct Args {
    path: Option<PathBuf>,
    serve_only: bool,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // By default the socket goes in a directory of our own, removed at the end.
    let own_dir = match &args.path {
        Some(_) => None,
        None => {
            let dir = std::env::temp_dir().join(format!("solo-unix-echo-{}", std::process::id()));
            if let Err(e) = std::fs::create_dir(&dir) {
                eprintln!("unix_echo: creating {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
            Some(dir)
        }
    };
    let path = match (&args.path, &own_dir) {
        (Some(path), _) => path.clone(),
        (None, Some(dir)) => dir.join("echo.sock"),
        (None, None) => unreachable!("own_dir is made when no path is given"),
    };
    let result = solo::block_on(run(path.clone(), args.serve_only));
    if let Some(dir) = own_dir {
        let _ = std::fs::remove_dir(dir);
    }
    match result {
        Ok(()) => {
            println!("socket file removed: {}", !path.exists());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("unix_echo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: PathBuf, serve_only: bool) -> std::io::Result<()> {
    let server = Server::bind(&path)?;
    println!("listening on {}", path.display());
    if serve_only {
        println!("Ctrl-C stops");
        return server.serve_until(ctrl_c()).await;
    }
    let (stop, stopped) = solo::sync::oneshot::channel::<()>();
    let serving = solo::spawn(server.serve_until(async {
        let _ = stopped.await;
    }));
    let lines: Vec<String> = ["hello", "over a", "Unix socket"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let echoed = client(&path, &lines).await;
    let _ = stop.send(());
    serving
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    println!("{} lines echoed", echoed?);
    Ok(())
}

async fn ctrl_c() {
    if let Err(e) = solo::signal::ctrl_c().await {
        eprintln!("unix_echo: waiting for Ctrl-C: {e}");
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        path: None,
        serve_only: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--path" => parsed.path = Some(args.next().ok_or("--path needs a value")?.into()),
            "--serve" => parsed.serve_only = true,
            "-h" | "--help" => return Err("unix_echo: a line echo over a Unix socket".into()),
            other => match other.strip_prefix("--path=") {
                Some(p) => parsed.path = Some(p.into()),
                None => return Err(format!("unknown argument {other:?}")),
            },
        }
    }
    Ok(parsed)
}
