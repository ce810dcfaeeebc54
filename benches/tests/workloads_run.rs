//! Every workload runs on each runtime it has (all three but for
//! hyper-hello, which has no smol) and reports sane figures (at tiny
//! sizes: this checks the harness, not the speed).

use benches::report::{Better, Report};
use benches::rt::Runtime;
use benches::workloads::{Params, Workload, ALL};

/// Figures only solo reports (from its runtime metrics).
const SOLO_ONLY: [&str; 2] = ["parks", "timers fired"];

/// Runs workload `name` on `rt` at `rounds`, quick sizes.
fn run(name: &str, rt: Runtime, rounds: u64) -> Report {
    let params = Params {
        quick: true,
        rounds: Some(rounds),
    };
    Workload::find(name)
        .expect("listed")
        .run(rt, &params)
        .unwrap_or_else(|e| panic!("{name} on {}: {e}", rt.name()))
}

fn labels(report: &Report) -> Vec<&str> {
    let mut labels: Vec<_> = report.metrics.iter().map(|m| m.label.as_str()).collect();
    labels.sort_unstable();
    labels
}

#[test]
fn every_workload_runs_on_its_runtimes_and_reports_finite_figures() {
    for w in ALL {
        let mut reports = Vec::new();
        for rt in Runtime::ALL.into_iter().filter(|&rt| w.runs_on(rt)) {
            let report = run(w.name, rt, 40);
            assert!(
                !report.metrics.is_empty(),
                "{} on {}: no figures",
                w.name,
                rt.name()
            );
            for m in &report.metrics {
                assert!(
                    m.value.is_finite() && m.value >= 0.0,
                    "{} on {}: {} = {}",
                    w.name,
                    rt.name(),
                    m.label,
                    m.value
                );
            }
            reports.push((rt, report));
        }
        // The runtimes report the same figures, except solo's own counters.
        let (first, solo) = &reports[0];
        assert_eq!(*first, Runtime::Solo);
        let mut expected = labels(solo);
        expected.retain(|l| !SOLO_ONLY.contains(l));
        for (rt, report) in &reports[1..] {
            assert_eq!(labels(report), expected, "{} on {}", w.name, rt.name());
        }
    }
}

#[test]
fn rates_are_higher_is_better_and_times_lower() {
    let report = run("echo-throughput", Runtime::Solo, 20);
    let better = |label: &str| {
        report
            .metrics
            .iter()
            .find(|m| m.label == label)
            .map(|m| m.better)
    };
    assert_eq!(better("round trips/s"), Some(Better::Higher));
    assert_eq!(better("CPU ms"), Some(Better::Lower));
}

#[test]
fn solo_idle_reports_wakeups_and_timers_fired() {
    let report = run("idle", Runtime::Solo, 30);
    assert_eq!(report.get("timers fired"), Some(30.0));
    assert!(report.get("parks").is_some_and(|p| p >= 1.0));
}

#[test]
fn http_fanout_never_beats_the_servers_delay() {
    for rt in Runtime::ALL {
        let wall = run("http-fanout", rt, 20)
            .get("N=20 wall ms")
            .expect("one figure per N");
        assert!(wall >= 50.0, "{}: {wall} ms", rt.name());
    }
}

/// The client checks every response: a wrong status or a body of the wrong
/// length is an error on every runtime, not a fast figure.
#[test]
fn http_client_rejects_a_wrong_status_or_length() {
    use benches::rt::{Rt, Smol, Solo, Tokio};
    use benches::workloads::http::{request, start_server, Conn};

    fn check<R: Rt>() {
        let server = start_server().expect("server starts");
        let addr = server.local_addr();
        R::block_on(async move {
            let mut conn = Conn::<R>::connect(addr).await.expect("connects");
            conn.get(&request(addr, "/bytes/1024", true), 1024)
                .await
                .expect("the right length passes");
            let short = conn.get(&request(addr, "/bytes/1000", true), 1024).await;
            assert!(short.is_err(), "{}: a short body passed", R::NAME);
            let mut conn = Conn::<R>::connect(addr).await.expect("connects");
            let missing = conn.get(&request(addr, "/nope", true), 10).await;
            let e = missing.expect_err("a 404 is an error");
            assert!(e.to_string().contains("404"), "{}: {e}", R::NAME);
        });
        server.shutdown();
    }
    check::<Solo>();
    check::<Tokio>();
    check::<Smol>();
}

/// pingpong-local runs each runtime's own channel and reports the same
/// figure as pingpong, so the two rows compare.
#[test]
fn pingpong_local_reports_ns_per_hop_on_every_runtime() {
    for rt in Runtime::ALL {
        let report = run("pingpong-local", rt, 40);
        assert_eq!(labels(&report), ["ns/hop"], "{}", rt.name());
        assert!(report.get("ns/hop").is_some_and(|ns| ns > 0.0));
    }
}

/// The mio floor's clients and servers both count: every connection does
/// every round trip, and the servers echo exactly the bytes sent.
#[test]
fn the_mio_floor_echoes_every_round_trip_on_every_connection() {
    use benches::workloads::echo_floor::{Echo, Totals};

    // echo-throughput's shape: clients start as soon as they connect.
    let mut echo = Echo::listen(7).expect("binds");
    echo.connect(3, true).expect("connects");
    echo.run().expect("runs");
    let totals = echo.finish().expect("every server sees its client close");
    assert_eq!(
        totals,
        Totals {
            round_trips: 21,
            bytes_echoed: 21 * 64
        }
    );
    totals.check(3, 7).expect("the counts match");
    assert!(totals.check(3, 8).is_err(), "a missing round trip passed");

    // echo-latency's shape: connected first, the rounds after.
    let mut echo = Echo::listen(5).expect("binds");
    echo.connect(1, false).expect("connects");
    echo.established().expect("connects and accepts");
    echo.run().expect("runs");
    let totals = echo.finish().expect("the server sees the client close");
    totals.check(1, 5).expect("the counts match");

    // No rounds: connect, close, done.
    let mut echo = Echo::listen(0).expect("binds");
    echo.connect(2, true).expect("connects");
    echo.run().expect("runs");
    echo.finish()
        .expect("closes")
        .check(2, 0)
        .expect("nothing sent");
}

/// The floor column reports what the runtimes report on the echo rows and
/// timer-accuracy, and only those have one.
#[test]
fn the_floor_runs_the_echo_workloads_and_reports_the_runtimes_figures() {
    for w in ALL {
        let floored = ["echo-latency", "echo-throughput", "timer-accuracy"].contains(&w.name);
        assert_eq!(w.runs_on(Runtime::Floor), floored, "{}", w.name);
        for rt in Runtime::ALL {
            // hyper has no smol glue: hyper-hello is the one exception.
            let runs = w.name != "hyper-hello" || rt != Runtime::Smol;
            assert_eq!(w.runs_on(rt), runs, "{} on {}", w.name, rt.name());
        }
        if !floored {
            let params = Params {
                quick: true,
                rounds: Some(1),
            };
            let e = w.run(Runtime::Floor, &params).expect_err("no floor");
            assert!(e.to_string().contains("no mio floor"), "{e}");
            continue;
        }
        let floor = run(w.name, Runtime::Floor, 40);
        let solo = run(w.name, Runtime::Solo, 40);
        assert_eq!(labels(&floor), labels(&solo), "{}", w.name);
        for m in &floor.metrics {
            assert!(m.value.is_finite() && m.value >= 0.0, "{}: {m:?}", w.name);
        }
    }
    let throughput = run("echo-throughput", Runtime::Floor, 40);
    assert!(throughput.get("round trips/s").is_some_and(|r| r > 0.0));
    assert_eq!(Runtime::from_name("floor"), Some(Runtime::Floor));
}

/// timer-accuracy's floor (a bare timerfd and epoll) sleeps its
/// millisecond each time, never less.
#[cfg(target_os = "linux")]
#[test]
fn the_timer_floor_never_wakes_before_its_millisecond() {
    let floor = run("timer-accuracy", Runtime::Floor, 50);
    for m in &floor.metrics {
        assert!(
            m.value >= 1.0 && m.value.is_finite(),
            "{} = {} ms: a 1 ms sleep ended early",
            m.label,
            m.value
        );
    }
}
