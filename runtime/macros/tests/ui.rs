//! Misuses of the attributes fail to compile with a message at the
//! offending tokens (`ui/fail`); the valid forms compile and run
//! (`ui/pass`). Regenerate the expected output with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
