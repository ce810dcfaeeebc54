//! `#[solo::test]`: the harness sees the test's own panic and its `Err`;
//! other attributes keep their meaning.
#![deny(unused_variables)]

use std::panic::{catch_unwind, resume_unwind};
use std::process::Command;

#[solo::test]
#[should_panic(expected = "the test's own message: 42")]
async fn should_panic_sees_the_message_of_a_panic_in_the_body() {
    let answer = solo::spawn(async { 42 }).await.unwrap();
    solo::task::yield_now().await;
    panic!("the test's own message: {answer}");
}

#[should_panic(expected = "written before the attribute")]
#[solo::test]
async fn should_panic_may_come_before_the_attribute() {
    solo::task::yield_now().await;
    panic!("written before the attribute");
}

#[test]
fn the_panic_payload_is_the_bodys_own_not_a_wrapper() {
    // A `#[solo::test]` function is an ordinary function too.
    let payload = catch_unwind(should_panic_sees_the_message_of_a_panic_in_the_body).unwrap_err();
    // A `String`, or a `&str` when the format arguments are constants.
    let message = match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(message) => message.to_string(),
            Err(other) => resume_unwind(other),
        },
    };
    assert_eq!(message, "the test's own message: 42");
}

/// Set in the environment of a child run of this binary: the test below
/// then returns `Err`.
const FAIL: &str = "SOLO_MACROS_TEST_RETURNS_ERR";

/// Returns `Ok` in the normal run, `Err` in the child run that
/// `an_err_returned_by_a_test_fails_it_with_its_debug_output` makes.
#[solo::test]
async fn returns_err_when_asked() -> Result<(), String> {
    solo::task::yield_now().await;
    if std::env::var_os(FAIL).is_some() {
        return Err("the test's own error".to_string());
    }
    Ok(())
}

#[test]
fn an_err_returned_by_a_test_fails_it_with_its_debug_output() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "returns_err_when_asked", "--test-threads=1"])
        .env(FAIL, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the test passed although it returned Err:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("test returns_err_when_asked ... FAILED"),
        "{stdout}\n{stderr}"
    );
    // The harness prints the error with `Debug`, as for a plain `#[test]`.
    assert!(
        stdout.contains("Error: \"the test's own error\"")
            || stderr.contains("Error: \"the test's own error\""),
        "{stdout}\n{stderr}"
    );
}

#[solo::test]
async fn a_result_test_may_use_the_question_mark() -> Result<(), std::num::ParseIntError> {
    let n: u32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}

// Were an attribute lost, the unused variable would fail the build.
#[solo::test]
#[allow(unused_variables)]
async fn outer_attributes_stay_on_the_function() {
    let unused = 1;
}

// An inner attribute stays inside the body.
#[solo::test]
async fn inner_attributes_stay_in_the_body() {
    #![allow(unused_variables)]
    let unused = 1;
}
