//! Responses API events: the raw JSON of each SSE event, its `type`, and what it means for the
//! stream (continue, done, failed).
//!
//! The hot path validates the JSON and borrows the `type` string without building a value
//! tree: the consumer (JavaScript's `JSON.parse`) parses `data` itself.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::sse::SseEvent;
use crate::{ApiError, CodexErr};

/// How much of a rejected event an error keeps.
pub(crate) const RAW_LIMIT: usize = 1024;

/// One event of a response stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseEvent {
    /// The JSON `type` field, e.g. `response.output_text.delta` (the SSE event name if absent).
    pub kind: String,
    /// The event's JSON text, verbatim as the server sent it.
    pub data: String,
}

impl TryFrom<SseEvent> for ResponseEvent {
    type Error = CodexErr;

    /// Validates one SSE event as a Responses API event, for callers with their own transport.
    ///
    /// # Errors
    ///
    /// [`CodexErr::Json`] when the data is not one JSON object; [`CodexErr::ResponseFailed`]
    /// for `response.failed` and `error` events.
    fn try_from(sse: SseEvent) -> Result<Self, CodexErr> {
        classify(sse).map(|(event, _)| event)
    }
}

/// What an event means for the stream that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// More events follow.
    Continues,
    /// `response.completed` / `response.incomplete`: the response is over.
    Ends,
}

/// Validates an SSE event as a Responses API event and classifies it.
///
/// # Errors
///
/// [`CodexErr::Json`] when the data is not a JSON object; [`CodexErr::ResponseFailed`] for
/// `response.failed` and `error` events.
pub(crate) fn classify(sse: SseEvent) -> Result<(ResponseEvent, Ending), CodexErr> {
    let kind = match serde_json::from_str::<TypeField<'_>>(&sse.data) {
        // Servers name the SSE event after the JSON `type`; reusing that string saves an
        // allocation per event.
        Ok(TypeField::One(kind)) if kind == sse.event.as_str() => sse.event,
        Ok(TypeField::One(kind)) => kind.into_owned(),
        Ok(TypeField::Absent) => sse.event,
        // Classified here by one `type` and by `JSON.parse` in JavaScript by the last, such an
        // event could end the stream for one and not the other: neither may see it.
        Ok(TypeField::Repeated) => {
            return Err(CodexErr::Json {
                message: "event data has more than one \"type\" key".into(),
                raw: truncate(&sse.data, RAW_LIMIT).to_owned(),
                source: None,
            });
        }
        Err(source) => {
            return Err(CodexErr::Json {
                message: "event data is not a JSON object".into(),
                raw: truncate(&sse.data, RAW_LIMIT).to_owned(),
                source: Some(source),
            });
        }
    };
    match kind.as_str() {
        "response.completed" | "response.incomplete" => Ok((
            ResponseEvent {
                kind,
                data: sse.data,
            },
            Ending::Ends,
        )),
        "response.failed" => Err(response_failed(&sse.data)),
        "error" => Err(error_event(&sse.data)),
        _ => Ok((
            ResponseEvent {
                kind,
                data: sse.data,
            },
            Ending::Continues,
        )),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn response_failed(data: &str) -> CodexErr {
    #[derive(Deserialize)]
    struct Failed {
        response: Option<FailedResponse>,
    }
    #[derive(Deserialize)]
    struct FailedResponse {
        id: Option<String>,
        error: Option<ApiError>,
    }
    let response = serde_json::from_str::<Failed>(data)
        .ok()
        .and_then(|failed| failed.response);
    let (response_id, api_error) = match response {
        Some(response) => (response.id, response.error),
        None => (None, None),
    };
    failure(api_error, response_id, "response.failed")
}

fn error_event(data: &str) -> CodexErr {
    /// Either `{"type":"error","code",…}` or `{"type":"error","error":{…}}`.
    #[derive(Deserialize)]
    struct ErrorEvent {
        error: Option<ApiError>,
        code: Option<serde_json::Value>,
        message: Option<String>,
        param: Option<String>,
    }
    let api_error = serde_json::from_str::<ErrorEvent>(data)
        .ok()
        .and_then(|event| {
            event.error.or_else(|| {
                let error = ApiError {
                    kind: None,
                    code: event.code.and_then(|code| match code {
                        serde_json::Value::String(text) => Some(text),
                        serde_json::Value::Number(number) => Some(number.to_string()),
                        _ => None,
                    }),
                    param: event.param,
                    message: event.message,
                };
                (error != ApiError::default()).then_some(error)
            })
        });
    failure(api_error, None, "error event")
}

fn failure(api_error: Option<ApiError>, response_id: Option<String>, what: &str) -> CodexErr {
    let message = api_error
        .as_ref()
        .and_then(|error| error.message.clone())
        .unwrap_or_else(|| format!("{what} without a message"));
    CodexErr::ResponseFailed {
        message,
        error_code: api_error.as_ref().and_then(|error| error.code.clone()),
        response_id,
        api_error,
    }
}

/// The `type` of a JSON object, borrowed from the input when it has no escapes; deserializing
/// it checks that the whole text is one valid JSON object.
enum TypeField<'de> {
    /// No `type` key.
    Absent,
    /// One `type` key with a string value.
    One(Cow<'de, str>),
    /// More than one `type` key (each with a string value).
    Repeated,
}

impl<'de> Deserialize<'de> for TypeField<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TypeFieldVisitor)
    }
}

struct TypeFieldVisitor;

impl<'de> Visitor<'de> for TypeFieldVisitor {
    type Value = TypeField<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind = TypeField::Absent;
        while let Some(Text(key)) = map.next_key()? {
            if key == "type" {
                let Text(value) = map.next_value()?;
                kind = match kind {
                    TypeField::Absent => TypeField::One(value),
                    TypeField::One(_) | TypeField::Repeated => TypeField::Repeated,
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(kind)
    }
}

/// A JSON string, borrowed when possible (serde's own `Cow` impl always copies).
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sse(data: &str) -> SseEvent {
        SseEvent {
            event: "message".into(),
            data: data.into(),
            id: String::new(),
            retry: None,
        }
    }

    #[test]
    fn the_type_is_extracted_and_the_data_kept_verbatim() {
        let data =
            r#"{"type":"response.output_text.delta", "delta":"h\u00e9","n":[1,{"type":"x"}]}"#;
        let (event, ending) = classify(sse(data)).unwrap();
        assert_eq!(event.kind, "response.output_text.delta");
        assert_eq!(event.data, data);
        assert_eq!(ending, Ending::Continues);

        let (event, _) = classify(sse(r#"{"type":"a\/b"}"#)).unwrap();
        assert_eq!(event.kind, "a/b");
        let (event, _) = classify(sse(r#"{"x":1}"#)).unwrap();
        assert_eq!(event.kind, "message");
    }

    #[test]
    fn an_event_with_two_type_keys_is_invalid() {
        for data in [
            r#"{"type":"response.completed","type":"response.output_text.delta"}"#,
            r#"{"type":"a","delta":"x","t\u0079pe":"a"}"#,
        ] {
            let err = classify(sse(data)).unwrap_err();
            assert!(
                matches!(&err, CodexErr::Json { message, raw, .. }
                    if raw == data && message.contains("more than one \"type\"")),
                "{data}: {err:?}"
            );
        }
        // Only the event's own key counts, not one inside a nested object.
        let (event, _) = classify(sse(r#"{"type":"a","item":{"type":"b"}}"#)).unwrap();
        assert_eq!(event.kind, "a");
    }

    #[test]
    fn terminal_events_end_the_stream() {
        for kind in ["response.completed", "response.incomplete"] {
            let (_, ending) = classify(sse(&format!(r#"{{"type":"{kind}"}}"#))).unwrap();
            assert_eq!(ending, Ending::Ends);
        }
    }

    #[test]
    fn anything_but_one_json_object_is_invalid() {
        for data in [
            "[\"type\"]",
            "{\"type\":1}",
            "{\"type\":\"a\"} x",
            "{",
            "[DONE]",
            "",
        ] {
            let err = classify(sse(data)).unwrap_err();
            assert!(
                matches!(err, CodexErr::Json { ref raw, .. } if raw == data),
                "{data}: {err:?}"
            );
        }
        let long = format!("{{\"{}", "\u{e9}".repeat(1000));
        let CodexErr::Json { raw, .. } = classify(sse(&long)).unwrap_err() else {
            panic!("not a json error");
        };
        assert!(raw.len() <= RAW_LIMIT && long.starts_with(&raw));
    }

    #[test]
    fn failures_carry_the_api_error() {
        let failed = r#"{"type":"response.failed","response":{"id":"resp_1","error":{"code":"server_error","message":"boom"}}}"#;
        let CodexErr::ResponseFailed {
            message,
            error_code,
            response_id,
            api_error,
        } = classify(sse(failed)).unwrap_err()
        else {
            panic!("not a failure");
        };
        assert_eq!(message, "boom");
        assert_eq!(error_code.as_deref(), Some("server_error"));
        assert_eq!(response_id.as_deref(), Some("resp_1"));
        assert_eq!(api_error.unwrap().message.as_deref(), Some("boom"));

        let flat =
            r#"{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null}"#;
        let nested =
            r#"{"type":"error","error":{"type":"server_error","code":500,"message":"slow down"}}"#;
        for (data, code) in [(flat, "rate_limit_exceeded"), (nested, "500")] {
            let CodexErr::ResponseFailed {
                message,
                error_code,
                ..
            } = classify(sse(data)).unwrap_err()
            else {
                panic!("not a failure");
            };
            assert_eq!(
                (message.as_str(), error_code.as_deref()),
                ("slow down", Some(code))
            );
        }
    }
}
