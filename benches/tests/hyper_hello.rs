//! hyper-hello: the hyper server on solo and on tokio answers every request
//! the keep-alive client sends, and the server's counts agree.

use benches::rt::{Rt, Runtime, Solo, Tokio};
use benches::workloads::http::{request, Conn};
use benches::workloads::hyper_hello::{exchange, spawn_server, HyperRt, HELLO};
use benches::workloads::{Params, Workload};

fn every_request_gets_its_response<R: HyperRt>() {
    let done = exchange::<R>(3, 10).unwrap_or_else(|e| panic!("{}: {e}", R::NAME));
    assert_eq!(done.responses, 10, "{}: responses", R::NAME);
    assert_eq!(done.served.connections, 3, "{}: connections", R::NAME);
    assert_eq!(done.served.requests, 10, "{}: requests", R::NAME);
}

#[test]
fn hyper_on_solo_answers_every_request_on_every_connection() {
    every_request_gets_its_response::<Solo>();
}

#[test]
fn hyper_on_tokio_answers_every_request_on_every_connection() {
    every_request_gets_its_response::<Tokio>();
}

/// The row's figures: a rate and the server's CPU per request, both finite.
#[test]
fn the_row_reports_req_per_s_and_server_cpu_per_request_on_solo_and_tokio() {
    let w = Workload::find("hyper-hello").expect("listed");
    let params = Params {
        quick: true,
        rounds: Some(40),
    };
    for rt in [Runtime::Solo, Runtime::Tokio] {
        let report = w
            .run(rt, &params)
            .unwrap_or_else(|e| panic!("{}: {e}", rt.name()));
        let rate = report.get("req/s").expect("a rate");
        assert!(rate.is_finite() && rate > 0.0, "{}: {rate}", rt.name());
        let cpu = report.get("server CPU µs/req").expect("CPU per request");
        assert!(cpu.is_finite() && cpu >= 0.0, "{}: {cpu}", rt.name());
    }
    assert!(!w.runs_on(Runtime::Smol));
    let e = w.run(Runtime::Smol, &params).expect_err("no smol");
    assert!(e.to_string().contains("does not run on smol"), "{e}");
}

/// The service answers `/` only, and the client checks what it gets: a 404
/// is an error, not a counted response.
#[test]
fn a_wrong_path_is_a_404_the_client_rejects() {
    fn check<R: HyperRt>() {
        let (addr, server) = spawn_server::<R>(1).expect("listens");
        Solo::block_on(async move {
            let mut conn = Conn::<Solo>::connect(addr).await.expect("connects");
            conn.get(&request(addr, "/", true), HELLO.len())
                .await
                .expect("the greeting passes");
            let e = conn
                .get(&request(addr, "/nope", true), HELLO.len())
                .await
                .expect_err("a 404 is an error");
            assert!(e.to_string().contains("404"), "{}: {e}", R::NAME);
        });
        let served = server.join().expect("no panic").expect("serves");
        assert_eq!((served.connections, served.requests), (1, 2), "{}", R::NAME);
    }
    check::<Solo>();
    check::<Tokio>();
}
