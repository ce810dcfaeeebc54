//! The tiny subset of URLs the client speaks: `http://host[:port][/path][?query]`.

use std::fmt;

/// A parsed `http://` URL.
///
/// Holds what a request needs: the host to connect to, the port (80 unless
/// given), and the request target (path and query, never empty: `/` at
/// least). A fragment (`#...`) is dropped, as browsers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    host: String,
    port: u16,
    target: String,
}

impl Url {
    /// Parses `input`.
    ///
    /// # Errors
    ///
    /// [`ParseError::UnsupportedScheme`] for any scheme but `http` (`https`
    /// included: there is no TLS here), [`ParseError::Invalid`] for anything
    /// malformed: no scheme, an empty host, user info, a bad port, or
    /// whitespace and control characters (which would let a URL inject
    /// header lines).
    pub fn parse(input: &str) -> Result<Url, ParseError> {
        let invalid = |why: &str| ParseError::Invalid(format!("{input:?}: {why}"));
        if input.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(invalid("contains whitespace or control characters"));
        }
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| invalid("expected http://host[:port]/path"))?;
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(ParseError::UnsupportedScheme(scheme.to_string()));
        }
        let rest = rest.split('#').next().unwrap_or_default();
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        if authority.contains('@') {
            return Err(invalid("user info is not supported"));
        }
        let (host, port) = split_host_port(authority).ok_or_else(|| invalid("bad host or port"))?;
        if host.is_empty() {
            return Err(invalid("empty host"));
        }
        let target = match target {
            "" => "/".to_string(),
            t if t.starts_with('?') => format!("/{t}"),
            t => t.to_string(),
        };
        Ok(Url {
            host: host.to_string(),
            port,
            target,
        })
    }

    /// The host name or IP address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port: the one given, or 80.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The request target: path and query, starting with `/`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The value for the `Host` header: the host, and the port unless 80.
    pub(crate) fn write_host_header(&self, out: &mut Vec<u8>) {
        if self.host.contains(':') {
            out.push(b'[');
            out.extend_from_slice(self.host.as_bytes());
            out.push(b']');
        } else {
            out.extend_from_slice(self.host.as_bytes());
        }
        if self.port != 80 {
            out.push(b':');
            out.extend_from_slice(self.port.to_string().as_bytes());
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut host = Vec::new();
        self.write_host_header(&mut host);
        write!(
            f,
            "http://{}{}",
            String::from_utf8_lossy(&host),
            self.target
        )
    }
}

/// Splits `host[:port]` or `[v6]:port`; `None` if the port is not a number
/// in 0..=65535 or the brackets do not match.
fn split_host_port(authority: &str) -> Option<(&str, u16)> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        match after {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => 80,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
        Some(_) => return None,
    };
    Some((host, port))
}

/// Why [`Url::parse`] refused its input. The client reports it as
/// [`client::Error::InvalidUrl`] or [`client::Error::UnsupportedScheme`],
/// with the same words.
///
/// [`client::Error::InvalidUrl`]: crate::client::Error::InvalidUrl
/// [`client::Error::UnsupportedScheme`]: crate::client::Error::UnsupportedScheme
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Not a URL the client speaks; the text quotes the input and says why.
    Invalid(String),
    /// A scheme other than `http` (`https` needs TLS, which the client does
    /// not have).
    UnsupportedScheme(String),
}

impl ParseError {
    /// The words for [`ParseError::Invalid`]`(why)`, wherever it is reported.
    pub(crate) fn write_invalid(f: &mut fmt::Formatter<'_>, why: &str) -> fmt::Result {
        write!(f, "invalid URL {why}")
    }

    /// The words for [`ParseError::UnsupportedScheme`]`(scheme)`, wherever
    /// it is reported.
    pub(crate) fn write_unsupported(f: &mut fmt::Formatter<'_>, scheme: &str) -> fmt::Result {
        write!(
            f,
            "URL scheme {scheme:?} is not supported: only http:// (no TLS, so no https://)"
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Invalid(why) => ParseError::write_invalid(f, why),
            ParseError::UnsupportedScheme(s) => ParseError::write_unsupported(f, s),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_host_port_and_target() {
        let url = Url::parse("http://127.0.0.1:8080/delay/50?x=1#frag").unwrap();
        assert_eq!(url.host(), "127.0.0.1");
        assert_eq!(url.port(), 8080);
        assert_eq!(url.target(), "/delay/50?x=1");
    }

    #[test]
    fn defaults_to_port_80_and_root_path() {
        let url = Url::parse("http://example.com").unwrap();
        assert_eq!((url.port(), url.target()), (80, "/"));
        assert_eq!(Url::parse("HTTP://h?q").unwrap().target(), "/?q");
    }

    #[test]
    fn accepts_bracketed_ipv6() {
        let url = Url::parse("http://[::1]:81/x").unwrap();
        assert_eq!((url.host(), url.port()), ("::1", 81));
        assert_eq!(url.to_string(), "http://[::1]:81/x");
    }

    #[test]
    fn https_is_reported_as_unsupported() {
        let err = Url::parse("https://example.com/").unwrap_err();
        assert!(matches!(err, ParseError::UnsupportedScheme(ref s) if s == "https"));
        assert!(err.to_string().contains("not supported"), "{err}");
    }

    #[test]
    fn malformed_urls_are_invalid() {
        for bad in [
            "example.com/",
            "http://",
            "http://:80/",
            "http://h:99999/",
            "http://h:8x/",
            "http://u@h/",
            "http://h/a b",
            "http://h/\r\nX: y",
            "http://[::1/",
        ] {
            assert!(
                matches!(Url::parse(bad), Err(ParseError::Invalid(_))),
                "{bad:?} should be invalid"
            );
        }
    }
}
