//! `compare --serve hyper-solo|hyper-tokio [ADDR]`: the hyper-hello server
//! alone, on the calling thread, until killed, so that an outside load
//! generator (`wrk -t1 -c64 -d5s http://ADDR/`) can be pointed at it.

use std::net::SocketAddr;
use std::process::ExitCode;

use benches::rt::{Solo, Tokio};
use benches::workloads::hyper_hello::{serve, HyperRt};

/// Where it listens unless told.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The usage line of this mode.
pub const USAGE: &str = "compare --serve hyper-solo|hyper-tokio [ADDR (default 127.0.0.1:8080)]";

/// Runs the server `args[0]` names on `args[1]` (or [`DEFAULT_ADDR`]);
/// prints `listening on http://ADDR/` once bound. Returns only on an error.
pub fn run(args: &[String]) -> ExitCode {
    let addr = args.get(1).map_or(DEFAULT_ADDR, String::as_str);
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("compare --serve: {addr:?} is not an address\n{USAGE}");
        return ExitCode::from(2);
    };
    let served = match args.first().map(String::as_str) {
        Some("hyper-solo") => forever::<Solo>(addr),
        Some("hyper-tokio") => forever::<Tokio>(addr),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare --serve: {e}");
            ExitCode::FAILURE
        }
    }
}

fn forever<R: HyperRt>(addr: SocketAddr) -> std::io::Result<()> {
    serve::<R>(addr, None, |addr| {
        println!("hyper on {}: listening on http://{addr}/", R::NAME);
    })
    .map(drop)
}
