//! `#[solo::main]` on functions other than `main`: they keep their
//! signature, return what the body returns, and propagate its panic.

use std::panic::{catch_unwind, resume_unwind};
use std::time::Duration;

/// Doc comments and attributes stay on the function.
#[solo::main(start_paused = true)]
#[allow(clippy::needless_return)]
pub async fn sleeps_an_hour_and_answers() -> u32 {
    solo::time::sleep(Duration::from_secs(3600)).await;
    return solo::spawn(async { 42 }).await.unwrap();
}

#[test]
fn a_main_returns_the_output_of_its_body() {
    assert_eq!(sleeps_an_hour_and_answers(), 42);
}

#[solo::main]
async fn parse_ok() -> Result<u32, std::num::ParseIntError> {
    let n: u32 = "41".parse()?;
    Ok(n + 1)
}

#[solo::main]
async fn parse_err() -> Result<u32, std::num::ParseIntError> {
    let n: u32 = "forty-one".parse()?;
    Ok(n + 1)
}

#[test]
fn a_main_returning_result_returns_ok_and_err_alike() {
    assert_eq!(parse_ok(), Ok(42));
    let err = parse_err().unwrap_err();
    assert_eq!(err, "x".parse::<u32>().unwrap_err());
}

#[solo::main]
async fn panics_with_a_string() {
    solo::task::yield_now().await;
    panic!("the original message, {}", 42);
}

#[test]
fn a_panic_in_the_body_reaches_the_caller_with_its_own_payload() {
    let payload = catch_unwind(panics_with_a_string).unwrap_err();
    // A `String`, or a `&str` when the format arguments are constants.
    let message = match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(message) => message.to_string(),
            Err(other) => resume_unwind(other),
        },
    };
    assert_eq!(message, "the original message, 42");
}

/// An `impl Trait` return type cannot be named in the expansion; the body's
/// type is inferred instead.
#[solo::main]
async fn answers_opaquely() -> impl std::fmt::Debug {
    solo::spawn(async { 42 }).await.unwrap()
}

#[test]
fn a_main_may_return_impl_trait() {
    assert_eq!(format!("{:?}", answers_opaquely()), "42");
}
