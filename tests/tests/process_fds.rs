//! solo::process leaks no descriptor: its own file, since it counts the
//! descriptors of the whole process.
#![cfg(target_os = "linux")]

use std::process::Stdio;
use std::time::Duration;

use solo::process::Command;
use solo::time::timeout;
use solo_tests::{count, open_fds, with_deadline};

#[test]
fn waited_killed_and_dropped_children_leave_no_descriptor_open() {
    let n = count(50, 5);
    let (before, after) = with_deadline(Duration::from_secs(60), move || {
        solo::block_on(async move {
            // One round first, so that lazily made descriptors (the
            // runtime's, the signal pipe's) are counted in `before`.
            let mut warm = Command::new("true").spawn().unwrap();
            warm.wait().await.unwrap();
            let before = open_fds();
            for i in 0..n {
                let mut child = Command::new("cat")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .kill_on_drop(true)
                    .spawn()
                    .unwrap();
                match i % 3 {
                    0 => {
                        timeout(Duration::from_secs(20), child.wait())
                            .await
                            .unwrap()
                            .unwrap();
                    }
                    1 => timeout(Duration::from_secs(20), child.kill())
                        .await
                        .unwrap()
                        .unwrap(),
                    _ => drop(child),
                }
            }
            // Bounded wait for the reapers of dropped children.
            let mut after = open_fds();
            for _ in 0..200 {
                if after <= before {
                    break;
                }
                solo::time::sleep(Duration::from_millis(20)).await;
                after = open_fds();
            }
            (before, after)
        })
    });
    assert_eq!(after, before, "descriptors leaked");
}
