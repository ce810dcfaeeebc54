//! Integration tests of solo and its examples live in `tests/`; this
//! library is empty.
