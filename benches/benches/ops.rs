//! criterion benches of the small operations, solo side by side with tokio
//! and smol: spawn, wake (a yield hop), timer insert + cancel, and one echo
//! round trip. `cargo bench -p benches -- spawn` runs one group;
//! the HTML report lands in `target/criterion/report/index.html`.

use std::pin::pin;
use std::time::{Duration, Instant};

use benches::rt::{read_exact, Rt, Smol, Solo, Tokio};
use benches::workloads::echo;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};

/// Tasks spawned before awaiting them, so memory stays bounded however many
/// iterations criterion asks for.
const SPAWN_BATCH: u64 = 1_000;

fn spawn<R: Rt>(iters: u64) -> Duration {
    R::block_on(async move {
        let start = Instant::now();
        let mut left = iters;
        let mut handles = Vec::with_capacity(SPAWN_BATCH as usize);
        while left > 0 {
            let batch = left.min(SPAWN_BATCH);
            handles.extend((0..batch).map(|i| R::spawn(async move { i })));
            for handle in handles.drain(..) {
                std::hint::black_box(handle.await);
            }
            left -= batch;
        }
        start.elapsed()
    })
}

fn wake<R: Rt>(iters: u64) -> Duration {
    R::block_on(async move {
        // In a spawned task: the main future is not a task on every runtime.
        let task = R::spawn(async move {
            let start = Instant::now();
            for _ in 0..iters {
                R::yield_now().await;
            }
            start.elapsed()
        });
        task.await
    })
}

fn timer_insert_cancel<R: Rt>(iters: u64) -> Duration {
    R::block_on(async move {
        let start = Instant::now();
        for _ in 0..iters {
            // The first poll registers the timer; the drop cancels it.
            let mut sleep = pin!(R::sleep(Duration::from_secs(3600)));
            let polled = futures_lite::future::poll_once(sleep.as_mut()).await;
            std::hint::black_box(polled);
        }
        start.elapsed()
    })
}

fn echo_round_trip<R: Rt>(iters: u64) -> Duration {
    R::block_on(async move {
        let (listener, addr) = echo::listen::<R>().await.expect("bind 127.0.0.1");
        let server = R::spawn(async move {
            let stream = R::accept(&listener).await?;
            echo::serve::<R>(stream).await
        });
        let mut stream = R::connect(addr).await.expect("connect");
        let out = [7u8; echo::MESSAGE];
        let mut back = [0u8; echo::MESSAGE];
        let start = Instant::now();
        for _ in 0..iters {
            R::write_all(&mut stream, &out).await.expect("write");
            read_exact::<R>(&mut stream, &mut back).await.expect("read");
        }
        let took = start.elapsed();
        drop(stream);
        server.await.expect("echo server");
        took
    })
}

/// A timed loop of `iters` operations on one runtime, with that runtime's
/// name.
type Named = (&'static str, fn(u64) -> Duration);

/// One bench per runtime in `group`, each named after its runtime.
fn side_by_side(group: &mut BenchmarkGroup<'_, WallTime>, f: [Named; 3]) {
    for (name, f) in f {
        group.bench_function(name, |b| b.iter_custom(f));
    }
}

/// `f` instantiated for each runtime, with the runtime's [`Rt::NAME`].
macro_rules! each_runtime {
    ($f:ident) => {
        [
            (Solo::NAME, $f::<Solo> as fn(u64) -> Duration),
            (Tokio::NAME, $f::<Tokio>),
            (Smol::NAME, $f::<Smol>),
        ]
    };
}

fn ops(c: &mut Criterion) {
    side_by_side(&mut c.benchmark_group("spawn"), each_runtime!(spawn));
    side_by_side(&mut c.benchmark_group("wake"), each_runtime!(wake));
    side_by_side(
        &mut c.benchmark_group("timer insert+cancel"),
        each_runtime!(timer_insert_cancel),
    );
    side_by_side(
        &mut c.benchmark_group("echo round trip"),
        each_runtime!(echo_round_trip),
    );
}

/// Keeps a check to seconds: short warm-up and measurement.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = ops
}
criterion_main!(benches);
