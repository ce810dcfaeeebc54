//! The server against clients nobody here wrote: curl, ApacheBench (`ab
//! -k`), Python's `http.client` and aiohttp, each run as a child process
//! against a server on a thread of this process, each bounded in time.
//!
//! A missing tool (or Python without the `aiohttp` module) skips its test with a printed reason, unless
//! `SOLO_REQUIRE_TOOLS` is set (CI sets it, after installing them): then it
//! fails. Under valgrind (`SOLO_UNDER_VALGRIND`) the tests skip: they check
//! protocol behaviour, which valgrind adds nothing to.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use http_demo::server::{self, Config, ServerHandle};

/// What a finished child printed.
struct Output {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Whether a test should run at all (not under valgrind).
fn runnable() -> bool {
    if std::env::var_os("SOLO_UNDER_VALGRIND").is_some() {
        eprintln!("skipped under valgrind: these tests check protocol behaviour only");
        return false;
    }
    true
}

/// Runs `program` with `args`, killing it after `limit` (and failing the
/// test then). `None` if the program is not installed and tools are not
/// required.
fn run(program: &str, args: &[&str], limit: Duration) -> Option<Output> {
    let spawned = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("SOLO_REQUIRE_TOOLS").is_none(),
                "{program} is not installed and SOLO_REQUIRE_TOOLS is set"
            );
            eprintln!(
                "skipped: {program} is not installed (set SOLO_REQUIRE_TOOLS to fail instead)"
            );
            return None;
        }
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    // Read the pipes on threads, so a chatty child never blocks on them.
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let stdout = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let stderr = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{program} {args:?} still running after {limit:?}; stderr: {}",
                stderr.join().unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    Some(Output {
        success: status.success(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn start() -> (ServerHandle, String) {
    let server = server::spawn_thread("127.0.0.1:0", Config::default()).unwrap();
    let base = format!("http://{}", server.local_addr());
    (server, base)
}

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn curl_head_then_get_on_one_connection_with_no_warning() {
    if !runnable() {
        return;
    }
    let (server, base) = start();
    let (head, get) = (format!("{base}/bytes/5"), format!("{base}/bytes/3"));
    // `--next` keeps the connection; `-v` would report "Excess found" had
    // the HEAD answer carried a body.
    let Some(out) = run(
        "curl",
        &["-sS", "-v", "-I", &head, "--next", "-sS", "-v", &get],
        LIMIT,
    ) else {
        return;
    };
    assert!(out.success, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Content-Length: 5\r\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\r\nDate: "), "{}", out.stdout);
    assert!(out.stdout.ends_with("\r\n\r\nxxx"), "{:?}", out.stdout);
    for warning in ["Excess", "Leftovers", "Closing connection"] {
        assert!(!out.stderr.contains(warning), "{}", out.stderr);
    }
    assert_eq!(server.stats().accepted, 1, "{}", out.stderr);
}

#[test]
fn curl_keeps_one_connection_over_several_urls() {
    if !runnable() {
        return;
    }
    let (server, base) = start();
    let urls: Vec<String> = ["/bytes/1", "/delay/1", "/nothing", "/bytes/2"]
        .iter()
        .map(|p| format!("{base}{p}"))
        .collect();
    let mut args = vec!["-sS"];
    args.extend(urls.iter().map(String::as_str));
    let Some(out) = run("curl", &args, LIMIT) else {
        return;
    };
    assert!(out.success, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "x{}not found\nxx",
            "x".repeat(http_demo::server::DELAY_BODY_LEN)
        )
    );
    assert_eq!(server.stats().accepted, 1);
    assert_eq!(server.stats().requests, 4);
}

#[test]
fn curl_expect_100_continue_does_not_stall() {
    if !runnable() {
        return;
    }
    let (_server, base) = start();
    // curl waits up to 1 s for the 100 before sending the body anyway:
    // answered as it should be, each request takes milliseconds.
    for (method, path, body) in [("GET", "/bytes/2", "xx"), ("POST", "/bytes/1", "use GET")] {
        let start = Instant::now();
        let url = format!("{base}{path}");
        let Some(out) = run(
            "curl",
            &[
                "-sS",
                "-X",
                method,
                "-H",
                "Expect: 100-continue",
                "--expect100-timeout",
                "5",
                "-d",
                "hello",
                &url,
            ],
            LIMIT,
        ) else {
            return;
        };
        let took = start.elapsed();
        assert!(out.success, "{}", out.stderr);
        assert!(out.stdout.starts_with(body), "{method}: {:?}", out.stdout);
        assert!(out.stderr.is_empty(), "{}", out.stderr);
        assert!(took < Duration::from_secs(3), "{method} took {took:?}");
    }
}

#[test]
fn ab_keep_alive_completes_every_request() {
    if !runnable() {
        return;
    }
    let (server, base) = start();
    let url = format!("{base}/bytes/100");
    let Some(out) = run(
        "ab",
        &["-k", "-n", "200", "-c", "4", "-s", "10", &url],
        LIMIT,
    ) else {
        return;
    };
    assert!(out.success, "{}\n{}", out.stdout, out.stderr);
    let field = |name: &str| {
        out.stdout
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {name:?} in {}", out.stdout))
            .to_owned()
    };
    assert_eq!(field("Complete requests:"), "200", "{}", out.stdout);
    assert_eq!(field("Failed requests:"), "0", "{}", out.stdout);
    assert_eq!(field("Keep-Alive requests:"), "200", "{}", out.stdout);
    assert!(server.stats().accepted <= 4, "{:?}", server.stats());
}

/// HEAD then GET on one `http.client` connection; then a HTTP/1.0 client
/// that asks for keep-alive gets it, and is told so. `-W error`: any
/// warning fails the script.
const PYTHON_SCRIPT: &str = r#"
import http.client, sys
host, port = sys.argv[1], int(sys.argv[2])
c = http.client.HTTPConnection(host, port, timeout=10)
c.request("HEAD", "/bytes/5")
r = c.getresponse()
assert r.status == 200 and r.getheader("Content-Length") == "5", r.getheaders()
assert r.getheader("Date", "").endswith(" GMT"), r.getheaders()
assert r.read() == b""
c.request("GET", "/bytes/3")
r = c.getresponse()
assert r.status == 200 and r.read() == b"xxx"
assert not r.will_close
c.close()

class Http10(http.client.HTTPConnection):
    _http_vsn = 10
    _http_vsn_str = "HTTP/1.0"

c = Http10(host, port, timeout=10)
for n in (2, 1):
    c.request("GET", "/bytes/%d" % n, headers={"Connection": "keep-alive"})
    r = c.getresponse()
    assert r.getheader("Connection") == "keep-alive", r.getheaders()
    assert not r.will_close
    assert r.read() == b"x" * n
c.close()
print("ok")
"#;

#[test]
fn python_http_client_head_get_and_http_1_0_keep_alive() {
    if !runnable() {
        return;
    }
    if let Some(accepted) = run_python_script(PYTHON_SCRIPT) {
        assert_eq!(accepted, 2, "connections accepted");
    }
}

/// aiohttp on one pooled connection: HEAD, GETs reusing it, a 404, a GET
/// with a body after `Expect: 100-continue`, a POST with one (refused at
/// once with 405, and closed), then a GET on a new connection.
const AIOHTTP_SCRIPT: &str = r#"import asyncio, sys
import aiohttp

async def main(host, port):
    base = f"http://{host}:{port}"
    # One connection at most: every request below reuses it (keep-alive),
    # except after the refused POST, which the server closes.
    conn = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=conn) as s:
        async with s.head(base + "/bytes/5") as r:
            assert r.status == 200, r.status
            assert r.headers["Content-Length"] == "5", r.headers
            assert "Date" in r.headers, r.headers
            assert await r.read() == b""
        for n in (3, 0, 1024):
            async with s.get(base + f"/bytes/{n}") as r:
                assert r.status == 200, r.status
                assert len(await r.read()) == n
        async with s.get(base + "/nope") as r:
            assert r.status == 404, r.status
            await r.read()
        async with s.get(base + "/bytes/4", data=b"a body", expect100=True) as r:
            assert r.status == 200, r.status
            assert len(await r.read()) == 4
        async with s.post(base + "/bytes/4", data=b"x" * 100, expect100=True) as r:
            assert r.status == 405, r.status
            assert r.headers["Allow"] == "GET, HEAD", r.headers
            await r.read()
        async with s.get(base + "/bytes/2") as r:
            assert r.status == 200, r.status
            assert await r.read() == b"xx"
    print("ok")

asyncio.run(main(sys.argv[1], sys.argv[2]))
"#;

#[test]
fn aiohttp_head_keep_alive_and_expect_100_continue_with_no_warning() {
    if !runnable() {
        return;
    }
    let Some(import) = run("python3", &["-c", "import aiohttp"], LIMIT) else {
        return;
    };
    if !import.success {
        assert!(
            std::env::var_os("SOLO_REQUIRE_TOOLS").is_none(),
            "aiohttp is not importable and SOLO_REQUIRE_TOOLS is set: {}",
            import.stderr
        );
        eprintln!(
            "skipped: python3 cannot import aiohttp (set SOLO_REQUIRE_TOOLS to fail instead)"
        );
        return;
    }
    // One connection for everything up to the refused POST, one after it.
    if let Some(accepted) = run_python_script(AIOHTTP_SCRIPT) {
        assert_eq!(accepted, 2, "connections accepted");
    }
}

/// Runs `script` under `python3 -W error` against a fresh server (its
/// arguments: host, port), checks that it printed `ok` and nothing on
/// stderr, and returns how many connections the server accepted; `None`
/// if python3 could not be run (and the test skips, as `run` says).
fn run_python_script(script: &str) -> Option<usize> {
    let (server, _) = start();
    let addr = server.local_addr();
    let (host, port) = (addr.ip().to_string(), addr.port().to_string());
    let out = run(
        "python3",
        &["-W", "error", "-c", script, &host, &port],
        LIMIT,
    )?;
    assert!(out.success, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "ok");
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    Some(server.stats().accepted)
}
