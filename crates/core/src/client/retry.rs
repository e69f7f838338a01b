//! When to retry a request and how long to wait first (the `openai` SDK's rules).

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The longest wait a server's `Retry-After` can ask for.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a failed answer should be retried: `x-should-retry` decides when present, otherwise
/// 408, 409, 429 and 5xx are.
pub(crate) fn should_retry(status: StatusCode, headers: &HeaderMap) -> bool {
    match headers.get("x-should-retry").map(|value| value.as_bytes()) {
        Some(b"true") => true,
        Some(b"false") => false,
        _ => matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error(),
    }
}

/// The wait the server asked for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP
/// date (relative to `now`), capped at [`MAX_RETRY_AFTER`].
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let from_secs = |secs: f64| Duration::try_from_secs_f64(secs).ok();
    let wait = if let Some(millis) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        from_secs(millis / 1000.0)
    } else {
        let value = text("retry-after")?;
        match value.parse::<f64>() {
            Ok(secs) => from_secs(secs),
            Err(_) => httpdate::parse_http_date(value)
                .ok()
                .map(|date| date.duration_since(now).unwrap_or(Duration::ZERO)),
        }
    };
    wait.map(|wait| wait.min(MAX_RETRY_AFTER))
}

/// Exponential backoff before retry number `retry` (1-based): `base · 2^(retry-1)` capped at
/// `max`, minus up to 25 % jitter so that clients that failed together do not retry together.
pub(crate) fn backoff(retry: u32, base: Duration, max: Duration) -> Duration {
    let factor = 1u32
        .checked_shl(retry.saturating_sub(1))
        .unwrap_or(u32::MAX);
    let delay = base.saturating_mul(factor).min(max);
    let jitter = 1.0 - rand::random::<f64>() * 0.25;
    Duration::try_from_secs_f64(delay.as_secs_f64() * jitter).unwrap_or(delay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn statuses_follow_the_sdk_and_the_header_overrides_them() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 503, 599] {
            assert!(
                should_retry(StatusCode::from_u16(status).unwrap(), &none),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(
                !should_retry(StatusCode::from_u16(status).unwrap(), &none),
                "{status}"
            );
        }
        let yes = headers(&[("x-should-retry", "true")]);
        let no = headers(&[("x-should-retry", "false")]);
        assert!(should_retry(StatusCode::BAD_REQUEST, &yes));
        assert!(!should_retry(StatusCode::SERVICE_UNAVAILABLE, &no));
    }

    #[test]
    fn retry_after_reads_ms_then_seconds_then_dates_and_is_capped() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let wait = |pairs: &[(&'static str, &str)]| retry_after(&headers(pairs), now);
        assert_eq!(wait(&[]), None);
        assert_eq!(
            wait(&[("retry-after-ms", "1500"), ("retry-after", "9")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(wait(&[("retry-after", "2")]), Some(Duration::from_secs(2)));
        assert_eq!(
            wait(&[("retry-after", "0.5")]),
            Some(Duration::from_millis(500))
        );
        assert_eq!(wait(&[("retry-after", "3600")]), Some(MAX_RETRY_AFTER));
        assert_eq!(wait(&[("retry-after", "-1")]), None);
        assert_eq!(wait(&[("retry-after", "soon")]), None);
        let in_ten = httpdate::fmt_http_date(now + Duration::from_secs(10));
        assert_eq!(
            wait(&[("retry-after", &in_ten)]),
            Some(Duration::from_secs(10))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(10));
        assert_eq!(wait(&[("retry-after", &past)]), Some(Duration::ZERO));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let base = Duration::from_millis(200);
        let max = Duration::from_secs(8);
        for (retry, full) in [
            (1, 200),
            (2, 400),
            (3, 800),
            (6, 6400),
            (7, 8000),
            (40, 8000),
        ] {
            let full = Duration::from_millis(full);
            for _ in 0..50 {
                let delay = backoff(retry, base, max);
                assert!(
                    delay <= full && delay >= full.mul_f64(0.75),
                    "{retry}: {delay:?}"
                );
            }
        }
    }
}
