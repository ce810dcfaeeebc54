//! The `Date` every response carries (RFC 9110, 6.6.1): an IMF-fixdate,
//! formatted at most once per second per thread, and read from the clock
//! at most once per second while a [`tick`] runs on the thread.
//!
//! Without a ticker (a connection served outside [`Server::run`], as the
//! fuzz targets do) each response reads the wall clock to see whether the
//! cached text is still the current second. With one, the cache is marked
//! fresh when it is read from the clock and stale by the ticker's timer
//! when that second ends, so a response only copies the cached text; the
//! `Date` it carries is late at most by how late the runtime runs that
//! timer (one loop turn). An idle server reads no clock and sets no timer.
//!
//! [`Server::run`]: super::Server::run

use std::cell::RefCell;
use std::future::poll_fn;
use std::task::{Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Appends the current date, an IMF-fixdate, to `out`.
pub(crate) fn write(out: &mut Vec<u8>) {
    DATE.with(|date| out.extend_from_slice(date.borrow_mut().current(SystemTime::now)));
}

/// Keeps this thread's date fresh without a clock read per response; never
/// completes. On drop, responses go back to reading the clock each time.
///
/// Waits until a response has read the date, then sleeps until the second
/// it shows ends and marks it stale; so while no response is written it
/// waits on nothing but that. One ticker per thread does the work: a
/// second one started while the first runs only waits (and does nothing
/// once the first is dropped; responses then read the clock as without
/// one).
pub(crate) async fn tick() {
    let Some(_ticker) = Ticker::start() else {
        return std::future::pending().await;
    };
    loop {
        poll_fn(|cx| DATE.with(|date| date.borrow_mut().poll_fresh(cx.waker()))).await;
        let shown = DATE.with(|date| date.borrow().second);
        let now = since_epoch(SystemTime::now());
        if Some(now.as_secs()) == shown {
            let left = Duration::from_secs(1) - Duration::from_nanos(now.subsec_nanos().into());
            solo::time::sleep(left).await;
        }
        DATE.with(|date| date.borrow_mut().fresh = false);
    }
}

/// The running ticker's registration; dropping it ends ticking.
struct Ticker;

impl Ticker {
    /// Registers a ticker, unless one already runs on this thread.
    fn start() -> Option<Ticker> {
        DATE.with(|date| {
            let mut date = date.borrow_mut();
            (!date.ticking).then(|| {
                date.ticking = true;
                Ticker
            })
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        // `try_with`: a thread's exit may drop the ticker after `DATE`.
        let _ = DATE.try_with(|date| {
            let mut date = date.borrow_mut();
            date.ticking = false;
            date.fresh = false;
            date.waker = None;
        });
    }
}

thread_local! {
    /// Each server thread's date (a server runs on one thread).
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
    /// Whether a ticker runs on this thread. Only then is `fresh` ever set.
    ticking: bool,
    /// `text` is the current second's: set when read from the clock while
    /// `ticking`, cleared by the ticker when that second ends.
    fresh: bool,
    /// The ticker waiting for `fresh`.
    waker: Option<Waker>,
    /// How many times the clock was read (for the tests).
    reads: u64,
    /// How many times a date was formatted (for the tests).
    formatted: u64,
}

impl DateCache {
    /// The current date: the cached text while it is fresh, else read from
    /// `clock` and reformatted if its second changed.
    fn current(&mut self, clock: impl FnOnce() -> SystemTime) -> &Fixdate {
        if !self.fresh {
            self.reads += 1;
            self.at(clock());
            if self.ticking {
                self.fresh = true;
                if let Some(waker) = self.waker.take() {
                    waker.wake();
                }
            }
        }
        &self.text
    }

    /// Ready once `text` is fresh; else keeps `waker` to wake then.
    fn poll_fresh(&mut self, waker: &Waker) -> Poll<()> {
        if self.fresh {
            Poll::Ready(())
        } else {
            self.waker = Some(waker.clone());
            Poll::Pending
        }
    }

    /// The IMF-fixdate of `now`, reformatted only when its second changed.
    fn at(&mut self, now: SystemTime) -> &Fixdate {
        let second = since_epoch(now).as_secs();
        if self.second != Some(second) {
            self.second = Some(second);
            self.text = fixdate(second);
            self.formatted += 1;
        }
        &self.text
    }
}

/// Time since the epoch; a clock before 1970 is shown as the epoch.
fn since_epoch(now: SystemTime) -> Duration {
    now.duration_since(UNIX_EPOCH).unwrap_or_default()
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
    fn without_a_ticker_every_response_reads_the_clock() {
        let mut cache = DateCache::default();
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(cache.current(|| t), b"Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            cache.current(|| t + Duration::from_secs(1)),
            b"Sun, 06 Nov 1994 08:49:38 GMT"
        );
        assert_eq!(cache.reads, 2);
        assert!(!cache.fresh);
    }

    #[test]
    fn with_a_ticker_the_clock_is_read_once_until_the_ticker_marks_it_stale() {
        let mut cache = DateCache {
            ticking: true,
            ..DateCache::default()
        };
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        for _ in 0..100 {
            assert_eq!(cache.current(|| t), b"Sun, 06 Nov 1994 08:49:37 GMT");
        }
        assert_eq!(cache.reads, 1);
        cache.fresh = false; // what the ticker does when the second ends
        assert_eq!(
            cache.current(|| t + Duration::from_secs(1)),
            b"Sun, 06 Nov 1994 08:49:38 GMT"
        );
        assert_eq!(cache.reads, 2);
    }

    #[test]
    fn the_ticker_marks_the_date_stale_when_its_second_ends() {
        // On a thread of its own, so that a ticker that spins fails the
        // test at the deadline instead of hanging it.
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            solo::block_on(async {
                let ticker = solo::spawn(tick());
                solo::task::yield_now().await;
                let mut first = Vec::new();
                write(&mut first);
                let reads = DATE.with(|date| date.borrow().reads);
                for _ in 0..100 {
                    write(&mut Vec::new());
                }
                assert_eq!(DATE.with(|date| date.borrow().reads), reads, "one read");
                solo::time::sleep(Duration::from_millis(1100)).await;
                let mut later = Vec::new();
                write(&mut later);
                assert_ne!(later, first, "1.1 s later the date must have moved on");
                let now = since_epoch(SystemTime::now()).as_secs();
                let shown = DATE.with(|date| date.borrow().second).unwrap();
                assert!(now - shown <= 1, "shown {shown}, now {now}");
                ticker.abort();
                solo::task::yield_now().await;
                let date = DATE.with(|date| (date.borrow().ticking, date.borrow().fresh));
                assert_eq!(date, (false, false), "an aborted ticker stops ticking");
            });
            done.send(()).unwrap();
        });
        finished
            .recv_timeout(Duration::from_secs(10))
            .expect("the runtime thread finished (it panicked, or the ticker spins)");
    }

    #[test]
    fn one_ticker_per_thread_and_none_after_it_is_dropped() {
        let ticker = Ticker::start().expect("the first ticker");
        assert!(Ticker::start().is_none(), "a second ticker must only wait");
        write(&mut Vec::new());
        assert!(DATE.with(|date| date.borrow().fresh));
        drop(ticker);
        let date = DATE.with(|date| (date.borrow().ticking, date.borrow().fresh));
        assert_eq!(date, (false, false));
        write(&mut Vec::new());
        assert!(
            !DATE.with(|date| date.borrow().fresh),
            "the clock is read per response again"
        );
    }
}
