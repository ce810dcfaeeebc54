//! The `subprocess` example: a two-child pipeline counted as it streams.
#![cfg(unix)]

use std::time::Duration;

use examples::subprocess::{count_stream, pipeline, seq_grep, seq_grep_expected, Counts};
use solo::io::AsyncWriteExt;
use solo::net::UnixStream;
use solo::process::Command;
use solo::time::timeout;
use solo_tests::with_deadline;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn seq_into_grep_counts_what_a_direct_count_finds_and_both_exit_zero() {
    solo_tests::leak_checked(|| {
        let report = with_deadline(LIMIT, || {
            let (seq, grep) = seq_grep(100_000, "7");
            let mut seen = Vec::new();
            let report = solo::block_on(pipeline(seq, grep, |c| seen.push(c))).unwrap();
            // Every report grows on the one before and the last is the total.
            assert!(seen.windows(2).all(|w| w[0].bytes < w[1].bytes));
            assert_eq!(seen.last(), Some(&report.counts));
            assert_eq!(seen.len() as u64, report.reads);
            report
        });
        assert_eq!(report.counts, seq_grep_expected(100_000, "7"));
        assert_eq!(report.counts.lines, 40_951);
        assert!(report.first.success() && report.second.success());
        // About 240 kB cannot come in one read of 16 KiB.
        assert!(report.reads > 1, "{report:?}");
    });
}

#[test]
fn output_is_counted_as_it_arrives_not_at_the_end() {
    solo_tests::leak_checked(|| {
        with_deadline(LIMIT, || {
            solo::block_on(async {
                let (mut writer, reader) = UnixStream::pair().unwrap();
                let (tx, rx) = solo::sync::unbounded::<Counts>();
                let counting = solo::spawn(count_stream(reader, move |c| {
                    let _ = tx.try_send(c);
                }));
                writer.write_all(b"one\ntwo\n").await.unwrap();
                // Reported while the writer is still open: not after the end.
                let first = timeout(Duration::from_secs(20), rx.recv())
                    .await
                    .expect("no report before the end")
                    .unwrap();
                assert_eq!(first, Counts { lines: 2, bytes: 8 });
                assert!(!counting.is_finished());
                writer.write_all(b"three").await.unwrap();
                drop(writer);
                let (total, reads) = counting.await.unwrap().unwrap();
                assert_eq!(
                    total,
                    Counts {
                        lines: 2,
                        bytes: 13
                    }
                );
                assert_eq!(reads, 2);
            })
        });
    });
}

#[test]
fn a_failing_stage_is_reported_in_its_status() {
    solo_tests::leak_checked(|| {
        let report = with_deadline(LIMIT, || {
            let (seq, grep) = seq_grep(50, "no such text");
            solo::block_on(pipeline(seq, grep, |_| {})).unwrap()
        });
        assert_eq!(report.counts, Counts::default());
        assert_eq!(report.reads, 0);
        assert_eq!(report.second.code(), Some(1), "grep finds nothing");
        assert!(!report.success());
    });
}

#[test]
fn a_missing_program_is_not_found_and_the_first_child_is_not_left() {
    solo_tests::leak_checked(|| {
        let result = with_deadline(LIMIT, || {
            let (seq, _) = seq_grep(10, "1");
            let missing = Command::new("solo-tests-no-such-program");
            solo::block_on(pipeline(seq, missing, |_| {}))
        });
        match result {
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
            // valgrind runs std's posix_spawn as a plain fork, so the exec
            // error never reaches the parent: the child exits with 127
            // (as in process.rs's a_missing_program_is_not_found).
            Ok(report) if solo_tests::under_valgrind() => {
                assert_eq!(report.second.code(), Some(127), "{report:?}")
            }
            Ok(report) => panic!("a missing program ran: {report:?}"),
        }
    });
}
