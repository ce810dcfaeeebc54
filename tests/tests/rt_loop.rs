//! The loop polls the reactor only when it must.

use solo::task::yield_now;
use solo::Builder;

#[test]
fn a_yielding_block_on_future_polls_the_reactor_once_per_budget() {
    let rt = Builder::new().budget(50).build().unwrap();
    rt.block_on(async {
        // Something registered, so checking I/O is not free.
        let _udp = solo::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let before = solo::runtime::metrics().parks;
        for _ in 0..1000 {
            yield_now().await;
        }
        let parks = solo::runtime::metrics().parks - before;
        assert!(
            (10..=40).contains(&parks),
            "{parks} reactor polls for 1000 yields, budget 50"
        );
    });
}

#[test]
fn busy_tasks_still_let_the_reactor_run_every_budget() {
    let rt = Builder::new().budget(10).build().unwrap();
    rt.block_on(async {
        let _udp = solo::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let before = solo::runtime::metrics().parks;
        let spinners: Vec<_> = (0..4)
            .map(|_| {
                solo::spawn(async {
                    for _ in 0..250 {
                        yield_now().await;
                    }
                })
            })
            .collect();
        for s in spinners {
            s.await.unwrap();
        }
        let parks = solo::runtime::metrics().parks - before;
        assert!(
            parks >= 1000 / 10,
            "only {parks} reactor polls for 1000 task polls, budget 10"
        );
    });
}
