//! Each option of the attributes reaches the runtime's `Builder`.

use std::cell::Cell;
use std::time::Duration;

use solo::task::yield_now;
use solo::time::{sleep, Instant};

#[solo::test(start_paused = true)]
async fn start_paused_true_lets_an_hour_of_sleep_pass_at_once() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert!(
        real.elapsed() < Duration::from_secs(60),
        "the clock was not paused: {:?} passed",
        real.elapsed()
    );
}

#[solo::test(start_paused = false)]
async fn start_paused_false_keeps_the_real_clock() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    sleep(Duration::from_millis(30)).await;
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert!(
        real.elapsed() >= Duration::from_millis(30),
        "the clock jumped"
    );
}

/// Reactor polls (parks) during `yields` yields of the main future, with a
/// socket registered so that every turn of the loop polls the reactor.
async fn parks_during_yields(yields: u32) -> u64 {
    let _registered = solo::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let before = solo::runtime::metrics().parks;
    for _ in 0..yields {
        yield_now().await;
    }
    solo::runtime::metrics().parks - before
}

#[solo::test(budget = 1)]
async fn a_budget_of_1_polls_the_reactor_after_every_poll() {
    let parks = parks_during_yields(200).await;
    assert!(parks >= 200, "only {parks} reactor polls in 200 yields");
}

#[solo::test(budget = 500)]
async fn a_budget_of_500_polls_the_reactor_once_per_500_polls() {
    // The default budget (61) would poll it 16 times.
    let parks = parks_during_yields(1000).await;
    assert!(
        (1..=3).contains(&parks),
        "{parks} reactor polls in 1000 yields"
    );
}

/// Reactor polls while 8 tasks, each waiting on its own socket, receive
/// one datagram apiece, all sent at once.
async fn parks_to_receive_8_datagrams() -> u64 {
    let mut receivers = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let socket = solo::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        receivers.push(socket.local_addr().unwrap());
        tasks.push(solo::spawn(async move {
            let mut buf = [0u8; 8];
            socket.recv(&mut buf).await.unwrap()
        }));
    }
    yield_now().await; // every task now waits for readiness
    let before = solo::runtime::metrics().parks;
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for addr in receivers {
        sender.send_to(b"ready", addr).unwrap();
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 5);
    }
    solo::runtime::metrics().parks - before
}

#[solo::test(events_capacity = 1)]
async fn an_events_capacity_of_1_takes_one_event_per_reactor_poll() {
    let parks = parks_to_receive_8_datagrams().await;
    assert!(parks >= 8, "8 events in only {parks} reactor polls");
}

#[solo::test]
async fn the_default_events_capacity_takes_many_events_per_reactor_poll() {
    let parks = parks_to_receive_8_datagrams().await;
    assert!(parks < 8, "8 events took {parks} reactor polls");
}

#[solo::test(events_capacity = 1, budget = 7, start_paused = true)]
async fn options_combine_in_any_order() {
    let start = Instant::now();
    sleep(Duration::from_secs(60)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(60));
    let parks = parks_during_yields(70).await;
    assert!(
        (9..=12).contains(&parks),
        "{parks} reactor polls in 70 yields"
    );
}

/// A stand-in for the solo crate that records that its `Builder` was used.
mod fake_solo {
    use std::cell::Cell;

    thread_local! {
        pub static BUILT_HERE: Cell<bool> = const { Cell::new(false) };
    }

    pub struct Builder(solo::Builder);

    impl Builder {
        pub fn new() -> Builder {
            Builder(solo::Builder::new())
        }

        pub fn budget(&mut self, budget: usize) -> &mut Builder {
            self.0.budget(budget);
            self
        }

        pub fn build(&self) -> std::io::Result<solo::Runtime> {
            BUILT_HERE.with(|b| b.set(true));
            self.0.build()
        }
    }
}

#[solo::test(crate = "crate::fake_solo", budget = 2)]
async fn the_crate_option_names_the_path_the_builder_is_taken_from() {
    assert!(fake_solo::BUILT_HERE.with(Cell::get));
}
