//! Where a request may carry its credentials: under `{envUrl}/proxy/` of the environment's origin,
//! as sent and as a server may read the path (docs/wire-protocol.md §6), and the redirect hops
//! that follow from a 3xx answer.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, LOCATION};
use http::{Method, StatusCode};
use url::Url;

/// The headers that carry the client's credentials or select the connected account: they go
/// only to hops under the proxy prefix. `cookie` and `proxy-authorization` (a caller's own) are
/// dropped where reqwest and follow-redirects drop them, on leaving the origin.
const CREDENTIAL_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "connection_name",
    "identifier",
];

/// Whether `url` lies under `root` (`{envUrl}/proxy/`): same origin, its path as sent starting
/// with the root's path, and its path as a server may read it (see [`server_view`]) starting with
/// the root's read the same way, or being exactly the bare prefix (`/proxy`). A sibling such as
/// `/proxyx` or `/proxy-admin` is outside.
pub fn is_under_prefix(root: &Url, url: &Url) -> bool {
    if !same_origin(root, url) || !url.path().starts_with(root.path()) {
        return false;
    }
    let prefix = server_view(root.path());
    let path = server_view(url.path());
    path.starts_with(&prefix) || prefix.strip_suffix(b"/") == Some(&path[..])
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A path as a server may route it: percent-decoded once, `\` read as `/`, runs of `/` collapsed
/// (as Go's `path.Clean` does, so `/proxy//..` is `/`), then dot segments removed (RFC 3986
/// §5.2.4). Bytes, since a decoded path need not be UTF-8; only `.`, `/` and `\` matter here.
fn server_view(path: &str) -> Vec<u8> {
    let mut cleaned = Vec::with_capacity(path.len());
    for byte in percent_encoding::percent_decode_str(path) {
        let byte = if byte == b'\\' { b'/' } else { byte };
        if !(byte == b'/' && cleaned.last() == Some(&b'/')) {
            cleaned.push(byte);
        }
    }
    remove_dot_segments(&cleaned)
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(mut input: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let drop_last = |out: &mut Vec<u8>| {
        let cut = out.iter().rposition(|&b| b == b'/').unwrap_or(0);
        out.truncate(cut);
    };
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix(b"../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix(b"./") {
            input = rest;
        } else if input.starts_with(b"/./") {
            input = &input[2..];
        } else if input == b"/." {
            input = b"/";
        } else if input.starts_with(b"/../") {
            input = &input[3..];
            drop_last(&mut out);
        } else if input == b"/.." {
            input = b"/";
            drop_last(&mut out);
        } else if input == b"." || input == b".." {
            input = b"";
        } else {
            let start = usize::from(input[0] == b'/');
            let end = input[start..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(input.len(), |i| i + start);
            out.extend_from_slice(&input[..end]);
            input = &input[end..];
        }
    }
    out
}

/// One request of a redirect chain, as far as the next hop depends on it.
#[derive(Debug, Clone)]
pub struct Hop {
    pub method: Method,
    pub url: Url,
    pub body: Option<Bytes>,
    /// The body is streamed from JS: sent once, it cannot go to a next hop.
    pub streamed: bool,
    /// `authorization`, `connection_name` and `identifier` go along: true on the first hop and
    /// on later ones under the prefix; false from the first later hop outside it on, even if a
    /// later hop comes back in.
    pub credentials: bool,
    /// Switched to `GET` on the way: the body and its `content-*` headers are gone.
    pub content_dropped: bool,
}

/// The hop a 3xx answer to `from` leads to, or `None` when the answer is the answer: not a
/// 301/302/303/307/308 (as reqwest follows), a call to Scalekit's own API (see
/// [`is_own_api_call`]), no usable `Location`, not http(s), a same-origin target outside the
/// prefix (Scalekit's own API: never followed, docs/wire-protocol.md §6), or a streamed body the
/// next hop would have to send again.
pub fn next_hop(root: &Url, from: &Hop, status: StatusCode, headers: &HeaderMap) -> Option<Hop> {
    if !is_redirect(status) || is_own_api_call(root, from) {
        return None;
    }
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let mut url = from.url.join(location).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let inside = is_under_prefix(root, &url);
    if !inside && same_origin(root, &url) {
        return None;
    }
    // As follow-redirects (axios) does: 301/302 turn a POST into a GET, 303 anything but
    // GET/HEAD; every other hop keeps its method and body.
    let to_get = (matches!(status.as_u16(), 301 | 302) && from.method == Method::POST)
        || (status == StatusCode::SEE_OTHER && !matches!(from.method, Method::GET | Method::HEAD));
    if from.streamed && !to_get {
        return None;
    }
    Some(Hop {
        method: if to_get {
            Method::GET
        } else {
            from.method.clone()
        },
        url,
        body: if to_get { None } else { from.body.clone() },
        streamed: false,
        credentials: from.credentials && inside,
        content_dropped: from.content_dropped || to_get,
    })
}

/// Whether `from` is a request to Scalekit's own API (the token, the control plane), which
/// follows no redirect at all (docs/wire-protocol.md §3, §6 "Redirects"): a 307/308 keeps the
/// body, and the token's body holds the client secret (a control-plane body may hold an
/// account's credentials). Such a request starts outside the prefix with its credentials; every
/// later hop that still has them lies under the prefix (see [`Hop::credentials`]), so only a
/// Tool Proxy call's chain goes on.
fn is_own_api_call(root: &Url, from: &Hop) -> bool {
    from.credentials && !is_under_prefix(root, &from.url)
}

/// What a token request answered with a redirect is told (docs/wire-protocol.md §3): the
/// status and where it pointed (without query, fragment or user info), never the body sent.
pub fn refused_token_redirect(from: &Url, status: u16, headers: &HeaderMap) -> String {
    let target = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| from.join(location).ok())
        .map(|mut url| {
            url.set_query(None);
            url.set_fragment(None);
            // Neither can fail on an http(s) URL; on another scheme they leave it as it is.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        })
        .unwrap_or_else(|| "no usable Location".into());
    format!(
        "token request redirected with status {status} to {target}: not followed, as the token \
         request (with the client secret) goes only to the envUrl"
    )
}

/// The statuses followed at all; anything else is answered at once.
pub fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Removes what `hop` must not carry: credential headers once it left the prefix, `content-*`
/// headers once it became a `GET`.
pub fn strip_headers(hop: &Hop, headers: &mut HeaderMap) {
    if !hop.credentials {
        for name in CREDENTIAL_HEADERS {
            headers.remove(name);
        }
    }
    if hop.content_dropped {
        let content: Vec<HeaderName> = headers
            .keys()
            .filter(|name| name.as_str().starts_with("content-"))
            .cloned()
            .collect();
        for name in content {
            headers.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn server_view_decodes_collapses_and_resolves() {
        for (path, view) in [
            ("/proxy/a/b", "/proxy/a/b"),
            ("/proxy/x%2f..%2f..%2foutside", "/outside"),
            ("/proxy/x%5C..%5Coutside", "/proxy/outside"),
            ("/proxy//..%2fx", "/x"),
            ("/proxy/..%2fproxy", "/proxy"),
            ("/proxy/%252e%252e/x", "/proxy/%2e%2e/x"),
            ("/proxy/a%zz/b", "/proxy/a%zz/b"),
            ("/proxy/%C3%BC", "/proxy/\u{fc}"),
        ] {
            assert_eq!(server_view(path), view.as_bytes(), "{path}");
        }
    }

    #[test]
    fn prefix_containment() {
        let root = url("https://env.example.com/proxy/");
        for inside in [
            "https://env.example.com/proxy/drive/v3/files",
            "https://env.example.com:443/proxy/x",
            "https://env.example.com/proxy/x?next=/outside",
            "https://env.example.com/proxy/..%2fproxy",
            "https://env.example.com/proxy//drive",
            "https://env.example.com/proxy/",
        ] {
            assert!(is_under_prefix(&root, &url(inside)), "{inside}");
        }
        for outside in [
            "https://sub.env.example.com/proxy/x",
            "http://env.example.com/proxy/x",
            "https://env.example.com:8443/proxy/x",
            "https://env.example.com/outside",
            "https://env.example.com/proxy",
            "https://env.example.com/proxyx",
            "https://env.example.com/proxy/..%2fproxy-admin",
            "https://env.example.com/proxy/x%2f..%2f..%2foutside",
            "https://env.example.com/proxy//..%2fx",
        ] {
            assert!(!is_under_prefix(&root, &url(outside)), "{outside}");
        }
        let based = url("https://env.example.com/base/proxy/");
        assert!(is_under_prefix(
            &based,
            &url("https://env.example.com/base/proxy/y")
        ));
        assert!(!is_under_prefix(
            &based,
            &url("https://env.example.com/proxy/y")
        ));
    }

    fn hop(method: Method, at: &str) -> Hop {
        Hop {
            method,
            url: url(at),
            body: Some(Bytes::from_static(b"{}")),
            streamed: false,
            credentials: true,
            content_dropped: false,
        }
    }

    fn location(to: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_str(to).unwrap());
        headers
    }

    #[test]
    fn hops() {
        let root = url("https://env.example.com/proxy/");
        let from = hop(Method::POST, "https://env.example.com/proxy/a");
        let status = |n| StatusCode::from_u16(n).unwrap();

        // In the prefix: credentials kept; 307 keeps method and body.
        let next = next_hop(&root, &from, status(307), &location("/proxy/b")).unwrap();
        assert_eq!(
            (next.method.as_str(), next.url.as_str()),
            ("POST", "https://env.example.com/proxy/b")
        );
        assert!(next.credentials && next.body.is_some() && !next.content_dropped);

        // Same origin, outside the prefix (or a sibling): not followed.
        for to in ["/outside", "/proxy", "/proxyx", "/proxy/x%2f..%2f..%2fapi"] {
            assert!(
                next_hop(&root, &from, status(302), &location(to)).is_none(),
                "{to}"
            );
        }

        // Another origin: followed without credentials; 302 turns POST into GET.
        let away = next_hop(&root, &from, status(302), &location("https://other/x")).unwrap();
        assert_eq!(away.method, Method::GET);
        assert!(!away.credentials && away.body.is_none() && away.content_dropped);
        // Back in: still without them.
        let back = next_hop(
            &root,
            &away,
            status(308),
            &location("https://env.example.com/proxy/z"),
        )
        .unwrap();
        assert!(!back.credentials);

        // 301/302 keep a PUT; 303 turns it into a GET; a HEAD stays a HEAD.
        let put = hop(Method::PUT, "https://env.example.com/proxy/a");
        let kept = next_hop(&root, &put, status(301), &location("/proxy/b")).unwrap();
        assert_eq!(kept.method, Method::PUT);
        assert!(kept.body.is_some());
        let seen = next_hop(&root, &put, status(303), &location("/proxy/b")).unwrap();
        assert_eq!(seen.method, Method::GET);
        let head = hop(Method::HEAD, "https://env.example.com/proxy/a");
        assert_eq!(
            next_hop(&root, &head, status(303), &location("/proxy/b"))
                .unwrap()
                .method,
            Method::HEAD
        );

        // A streamed body cannot be sent twice: a 307 is the answer, a 303 drops it.
        let streamed = Hop {
            streamed: true,
            body: None,
            ..from.clone()
        };
        assert!(next_hop(&root, &streamed, status(307), &location("/proxy/b")).is_none());
        assert!(next_hop(&root, &streamed, status(303), &location("/proxy/b")).is_some());

        // Not followed: other statuses, no or a bad Location, other schemes.
        assert!(next_hop(&root, &from, status(300), &location("/proxy/b")).is_none());
        assert!(next_hop(&root, &from, status(302), &HeaderMap::new()).is_none());
        assert!(next_hop(&root, &from, status(302), &location("http://[bad")).is_none());
        assert!(next_hop(&root, &from, status(302), &location("ftp://other/x")).is_none());
    }

    #[test]
    fn own_api_calls_follow_no_redirect() {
        let root = url("https://env.example.com/proxy/");
        let status = |n| StatusCode::from_u16(n).unwrap();
        for at in [
            "https://env.example.com/oauth/token",
            "https://env.example.com/api/v1/connected_accounts",
        ] {
            let from = hop(Method::POST, at);
            for to in [
                "https://other.example.com/oauth/token",
                "http://env.example.com/oauth/token",
                "/proxy/x",
            ] {
                for code in [301, 302, 303, 307, 308] {
                    assert!(
                        next_hop(&root, &from, status(code), &location(to)).is_none(),
                        "{at} {code} {to}"
                    );
                }
            }
        }
        // A proxy call's hop that left keeps following (without credentials).
        let mut away = hop(Method::GET, "https://other.example.com/a");
        away.credentials = false;
        assert!(next_hop(&root, &away, status(302), &location("https://third/x")).is_some());

        let token = url("https://env.example.com/oauth/token");
        let said = refused_token_redirect(
            &token,
            307,
            &location("https://u:pw@evil.example.com/steal?client_secret=s3cret#f"),
        );
        assert_eq!(
            said,
            "token request redirected with status 307 to https://evil.example.com/steal: not \
             followed, as the token request (with the client secret) goes only to the envUrl"
        );
        let relative = refused_token_redirect(&token, 308, &location("/elsewhere"));
        assert!(
            relative.contains("to https://env.example.com/elsewhere:"),
            "{relative}"
        );
        assert!(
            refused_token_redirect(&token, 302, &HeaderMap::new()).contains("no usable Location")
        );
    }

    #[test]
    fn stripped_headers() {
        let mut headers = HeaderMap::new();
        for name in [
            "authorization",
            "proxy-authorization",
            "cookie",
            "connection_name",
            "identifier",
            "content-type",
            "content-length",
            "x-kept",
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static("v"));
        }
        let mut left = hop(Method::GET, "https://other/x");
        left.credentials = false;
        let mut h = headers.clone();
        strip_headers(&left, &mut h);
        let mut names: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["content-length", "content-type", "x-kept"]);

        left.content_dropped = true;
        left.credentials = true;
        let mut h = headers;
        strip_headers(&left, &mut h);
        assert_eq!(h.len(), 6);
        assert!(!h.contains_key("content-type") && h.contains_key("authorization"));
    }
}
