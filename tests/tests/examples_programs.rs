//! The non-network examples' cores: interleave, averager, nested, task_os,
//! ip_stats.

use examples::{averager, interleave, ip_stats, nested, task_os};

#[test]
fn interleave_alternates_between_the_tasks() {
    let lines = solo::block_on(interleave::run(&["one", "two"], 3, |_| {}));
    assert_eq!(
        lines,
        [
            "one: step 1",
            "two: step 1",
            "one: step 2",
            "two: step 2",
            "one: step 3",
            "two: step 3"
        ]
    );
}

#[test]
fn averager_replies_running_averages_and_returns_a_summary() {
    let (averages, summary) = solo::block_on(averager::run(&[3.0, 10.0, 34.0, 3.0]));
    assert_eq!(averages, [3.0, 6.5, 47.0 / 3.0, 12.5]);
    assert_eq!(summary.count, 4);
    assert_eq!(summary.average, Some(12.5));
}

#[test]
fn averager_with_no_input_has_no_average() {
    let (averages, summary) = solo::block_on(averager::run(&[]));
    assert!(averages.is_empty());
    assert_eq!(
        summary,
        averager::Summary {
            count: 0,
            average: None
        }
    );
}

#[test]
fn nested_awaits_bring_the_inner_value_back_up() {
    let (value, trace) = solo::block_on(nested::chain());
    assert_eq!(value, 86);
    assert_eq!(
        trace,
        [
            "outer: start",
            "middle: start",
            "inner: start",
            "inner: returns 42",
            "middle: got 42, returns 43",
            "outer: got 43, returns 86"
        ]
    );
}

#[test]
fn tree_walk_visits_the_articles_tree_in_order() {
    let values = solo::block_on(nested::in_order(nested::articles_tree()));
    assert_eq!(values, [7, 8, 1, 2, 9, 10, 3, 0, 4, 5, 6]);
}

#[test]
fn task_os_reports_every_termination_and_kills_the_endless_task() {
    let console = solo::block_on(task_os::run(false));
    let terminated: Vec<&String> = console
        .iter()
        .filter(|l| l.ends_with(" terminated"))
        .collect();
    // foo, forever, killer, parent and the parent's child.
    assert_eq!(terminated.len(), 5, "{console:#?}");
    let kill = console
        .iter()
        .position(|l| l.contains(" kills task "))
        .expect("the killer announces the kill");
    let victim = console[kill]
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let victim_end = console
        .iter()
        .position(|l| *l == format!("Task {victim} terminated"))
        .expect("the killed task reports its end");
    assert!(victim_end > kill);
    let forever_lines = console
        .iter()
        .filter(|l| **l == format!("I'm forever {victim}"))
        .count();
    assert!(forever_lines >= 1);
    assert!(!console.iter().any(|l| l.contains("never killed")));
    assert!(
        console[kill..]
            .iter()
            .all(|l| !l.starts_with("I'm forever")),
        "the killed task ran after the kill: {console:#?}"
    );
    assert_eq!(
        console.iter().filter(|l| l.starts_with("I'm foo")).count(),
        3
    );
    assert!(console.iter().any(|l| l.starts_with("I'm the child")));
}

#[test]
fn the_log_generator_is_deterministic_and_well_formed() {
    let a = ip_stats::generate_log(10_000, 42);
    assert_eq!(a, ip_stats::generate_log(10_000, 42));
    assert_ne!(a, ip_stats::generate_log(10_000, 43));
    assert_eq!(a.lines().count(), 10_000);
    for line in a.lines() {
        let ip = ip_stats::line_ip(line).expect("an address first");
        assert!(ip_stats::IPS.contains(&ip), "{line}");
        assert!(
            line.contains("\"GET /") && line.contains(" HTTP/1.1\" "),
            "{line}"
        );
    }
    // Every address occurs, so every filter has work.
    let direct = ip_stats::count_directly(&a, &ip_stats::IPS);
    assert_eq!(direct.per_ip.len(), ip_stats::IPS.len());
}

#[test]
fn ip_stats_pipelines_agree_with_a_direct_count_and_lose_no_line() {
    let log = ip_stats::generate_log(10_000, 42);
    let expected = ip_stats::count_directly(&log, &ip_stats::IPS);
    assert_eq!(expected.per_ip.values().sum::<u64>(), 10_000);

    let path = std::env::temp_dir().join(format!("solo-tests-ip-{}.log", std::process::id()));
    std::fs::write(&path, &log).expect("write the log");
    let (in_loop, blocking) = solo::block_on(async {
        let in_loop = ip_stats::from_text(log.clone(), &ip_stats::IPS).await;
        let blocking = ip_stats::from_file(path.clone(), &ip_stats::IPS).await;
        (in_loop, blocking)
    });
    let _ = std::fs::remove_file(&path);
    assert_eq!(in_loop, expected);
    assert_eq!(blocking.expect("read the log"), expected);
}

#[test]
fn ip_stats_counts_only_the_addresses_asked_for() {
    let log = ip_stats::generate_log(2_000, 7);
    let ips = ["10.0.0.1", "203.0.113.9", "192.0.2.1"];
    let stats = solo::block_on(ip_stats::from_text(log.clone(), &ips));
    assert_eq!(stats, ip_stats::count_directly(&log, &ips));
    assert_eq!(stats.lines, 2_000);
    let keys: Vec<&str> = stats.per_ip.keys().map(String::as_str).collect();
    assert_eq!(keys, ["10.0.0.1", "203.0.113.9"]); // 192.0.2.1 never occurs
}

#[test]
fn ip_stats_reports_a_missing_file_as_an_error() {
    let missing = std::env::temp_dir().join("solo-tests-no-such-dir/none.log");
    let err = solo::block_on(ip_stats::from_file(missing, &ip_stats::IPS)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}
