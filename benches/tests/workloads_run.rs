//! Every workload runs on every runtime and reports sane figures (at tiny
//! sizes: this checks the harness, not the speed).

use benches::report::Better;
use benches::rt::Runtime;
use benches::workloads::{Params, ALL};

#[test]
fn every_workload_runs_on_every_runtime_and_reports_finite_figures() {
    let params = Params {
        quick: true,
        rounds: Some(40),
    };
    for w in ALL {
        let mut labels = Vec::new();
        for rt in Runtime::ALL {
            let report = w
                .run(rt, &params)
                .unwrap_or_else(|e| panic!("{} on {}: {e}", w.name, rt.name()));
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
            labels.push((rt, report));
        }
        // The runtimes report the same figures, except solo's own counters.
        let solo: Vec<_> = labels[0].1.metrics.iter().map(|m| &m.label).collect();
        for (rt, report) in &labels[1..] {
            for m in &report.metrics {
                assert!(
                    solo.contains(&&m.label),
                    "{} on {}: extra {}",
                    w.name,
                    rt.name(),
                    m.label
                );
            }
        }
    }
}

#[test]
fn rates_are_higher_is_better_and_times_lower() {
    let params = Params {
        quick: true,
        rounds: Some(20),
    };
    let w = benches::workloads::Workload::find("echo-throughput").expect("listed");
    let report = w.run(Runtime::Solo, &params).expect("runs");
    let rate = report
        .metrics
        .iter()
        .find(|m| m.label == "round trips/s")
        .expect("has a rate");
    assert_eq!(rate.better, Better::Higher);
    let cpu = report
        .metrics
        .iter()
        .find(|m| m.label == "CPU ms")
        .expect("has CPU");
    assert_eq!(cpu.better, Better::Lower);
}

#[test]
fn solo_idle_reports_wakeups_and_timers_fired() {
    let params = Params {
        quick: true,
        rounds: Some(30),
    };
    let w = benches::workloads::Workload::find("idle").expect("listed");
    let report = w.run(Runtime::Solo, &params).expect("runs");
    assert_eq!(report.get("timers fired"), Some(30.0));
    assert!(report.get("parks").is_some_and(|p| p >= 1.0));
}

#[test]
fn http_fanout_never_beats_the_servers_delay() {
    let params = Params {
        quick: true,
        rounds: Some(20),
    };
    let w = benches::workloads::Workload::find("http-fanout").expect("listed");
    for rt in Runtime::ALL {
        let report = w.run(rt, &params).expect("runs");
        let wall = report.get("N=20 wall ms").expect("one figure per N");
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
