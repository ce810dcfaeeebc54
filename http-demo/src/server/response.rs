//! Response heads, all written by [`write_head`], and the `Date` they carry
//! (RFC 9110, 6.6.1), formatted at most once per second per thread.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

/// The interim answer to `Expect: 100-continue` (RFC 9110, 15.2.1): a
/// status line and nothing else; the final response follows.
pub(crate) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// What the head of a final response says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    /// Code and reason phrase, such as `"200 OK"`.
    pub(crate) status: &'static str,
    /// The body's length, sent even when the body is not (a HEAD answer).
    pub(crate) content_length: u64,
    /// `Allow: GET, HEAD` (a 405 must list the methods allowed).
    pub(crate) allow: bool,
    /// Whether the connection stays open after this response.
    pub(crate) keep_alive: bool,
    /// The request's `1.x` version: a 1.0 client kept open is told so.
    pub(crate) minor: u8,
}

/// Appends `head` to `out`: status line, `Date`, `Content-Length`, then
/// `Allow` and `Connection` when they apply, and the blank line.
/// `Connection: close` when the server closes after the response;
/// `Connection: keep-alive` for a HTTP/1.0 client whose connection stays
/// open (it assumes a close otherwise, RFC 9112, 9.3 and appendix C.2.2).
pub(crate) fn write_head(out: &mut Vec<u8>, head: &Head) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(head.status.as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    DATE.with(|date| out.extend_from_slice(date.borrow_mut().at(SystemTime::now())));
    out.extend_from_slice(b"\r\nContent-Length: ");
    out.extend_from_slice(head.content_length.to_string().as_bytes());
    if head.allow {
        out.extend_from_slice(b"\r\nAllow: GET, HEAD");
    }
    if !head.keep_alive {
        out.extend_from_slice(b"\r\nConnection: close");
    } else if head.minor == 0 {
        out.extend_from_slice(b"\r\nConnection: keep-alive");
    }
    out.extend_from_slice(b"\r\n\r\n");
}

thread_local! {
    /// Each server thread's formatted date (a server runs on one thread).
    static DATE: RefCell<DateCache> = RefCell::new(DateCache::default());
}

/// An IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
type Fixdate = [u8; 29];

/// The date of the current second, formatted once per second.
#[derive(Debug, Default)]
struct DateCache {
    /// The second since the epoch that `text` shows; `None` before the first.
    second: Option<u64>,
    text: Fixdate,
    /// How many times a date was formatted (for the tests).
    formatted: u64,
}

impl DateCache {
    /// The IMF-fixdate of `now`, reformatted only when its second changed.
    fn at(&mut self, now: SystemTime) -> &Fixdate {
        // A clock before 1970 is shown as the epoch.
        let second = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        if self.second != Some(second) {
            self.second = Some(second);
            self.text = fixdate(second);
            self.formatted += 1;
        }
        &self.text
    }
}

/// Formats `secs` since the epoch as an IMF-fixdate (RFC 9110, 5.6.7).
/// Years past 9999 are shown as 9999.
fn fixdate(secs: u64) -> Fixdate {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86_400;
    let (year, month, day) = civil(days);
    let in_day = secs % 86_400;
    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    out[..3].copy_from_slice(DAYS[(days % 7) as usize]);
    two_digits(&mut out[5..7], day);
    out[8..11].copy_from_slice(MONTHS[(month - 1) as usize]);
    let year = year.min(9999);
    two_digits(&mut out[12..14], year / 100);
    two_digits(&mut out[14..16], year % 100);
    two_digits(&mut out[17..19], in_day / 3600);
    two_digits(&mut out[20..22], in_day / 60 % 60);
    two_digits(&mut out[23..25], in_day % 60);
    out
}

fn two_digits(out: &mut [u8], n: u64) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// The proleptic Gregorian (year, month 1-12, day 1-31) of a day count
/// since 1970-01-01, by eras of 400 years (146,097 days) starting on
/// March 1st, so that leap days fall at the end of an era's year.
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z % 146_097; // day of era, 0..146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..365, from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..11
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = era * 400 + yoe + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_imf_fixdates() {
        let cases = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"), // RFC 9110's example
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (951_868_799, "Tue, 29 Feb 2000 23:59:59 GMT"),
            (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (1_735_689_599, "Tue, 31 Dec 2024 23:59:59 GMT"),
        ];
        for (secs, text) in cases {
            assert_eq!(std::str::from_utf8(&fixdate(secs)).unwrap(), text, "{secs}");
        }
        assert_eq!(&fixdate(u64::MAX)[12..16], b"9999", "no panic far ahead");
    }

    #[test]
    fn the_date_is_formatted_once_per_second_not_per_response() {
        let mut cache = DateCache::default();
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        for ms in (0..1000).step_by(10) {
            assert_eq!(
                cache.at(t + Duration::from_millis(ms)),
                b"Sun, 06 Nov 1994 08:49:37 GMT"
            );
        }
        assert_eq!(cache.formatted, 1);
        assert_eq!(
            cache.at(t + Duration::from_secs(1)),
            b"Sun, 06 Nov 1994 08:49:38 GMT"
        );
        assert_eq!(cache.formatted, 2);
    }

    #[test]
    fn a_head_says_connection_only_when_it_must() {
        let text = |keep_alive, minor, allow| {
            let mut out = Vec::new();
            let head = Head {
                status: "200 OK",
                content_length: 7,
                allow,
                keep_alive,
                minor,
            };
            write_head(&mut out, &head);
            String::from_utf8(out).unwrap()
        };
        let plain = text(true, 1, false);
        assert!(plain.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{plain}");
        assert!(
            plain.ends_with(" GMT\r\nContent-Length: 7\r\n\r\n"),
            "{plain}"
        );
        assert!(text(true, 0, false).ends_with("\r\nConnection: keep-alive\r\n\r\n"));
        assert!(text(false, 0, false).ends_with("\r\nConnection: close\r\n\r\n"));
        assert!(text(false, 1, true).ends_with("\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n"));
    }
}
