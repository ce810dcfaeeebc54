//! The `deadlock` example: two transfers locking two accounts in opposite
//! orders end in a hang report that names both, instead of hanging.

use std::time::Duration;

#[test]
fn the_deadlocked_transfers_are_both_named_in_the_hang_report() {
    let report = examples::deadlock::run(Duration::from_millis(100))
        .expect("the transfers deadlock, so the runtime reports a hang");
    assert!(report.contains("solo: hang"), "{report}");
    for name in ["\"alice pays bob\"", "\"bob pays alice\""] {
        let line = report.lines().find(|l| l.contains(name));
        let line = line.unwrap_or_else(|| panic!("{name} missing from {report}"));
        assert!(line.contains("examples/src/deadlock.rs"), "{line}");
        assert!(line.contains("waiting"), "{line}");
    }
}
