//! What a failure keeps of a server's error body (docs/wire-protocol.md §2, "Error body"): a
//! bounded prefix of each text it copies out (the message, the error code, the tool error's
//! fields) and a bounded part of `details`. The body itself stays whole, once, as `err.data`; an
//! answer within the 128 MiB cap must not cost its size again for every field it is copied into.

use serde_json::{Map, Value};

/// The most of one server text a failure keeps, in bytes (before the marker of what was cut).
pub const TEXT_LIMIT: usize = 4096;

/// The most of `details` a failure keeps: the bytes of its strings and keys, and
/// [`VALUE_COST`] for each other value. Past it, the remaining members and items are left out.
pub const DETAILS_LIMIT: usize = 64 * 1024;

/// What a number, a boolean, a null, an array or an object costs of [`DETAILS_LIMIT`], so that
/// a million empty values cannot pass for nothing.
const VALUE_COST: usize = 8;

/// The characters secrets and tokens are made of, percent-encoded or not (base64, base64url,
/// JWT, a form's `client_secret=…`): a cut never falls inside a run of them.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%' | b'+' | b'/' | b'=')
}

/// `text` whole when it is at most [`TEXT_LIMIT`] bytes; else its first bytes and
/// `… [N bytes cut]`. The cut is on a char boundary and never inside a word (`word_byte`):
/// a credential the failure's redaction scrubs (`ScalekitError::redact`) is kept whole or not
/// at all, never a part of it that no longer matches.
pub fn bounded(text: &str) -> String {
    if text.len() <= TEXT_LIMIT {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut cut = TEXT_LIMIT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if bytes.get(cut).copied().is_some_and(word_byte) {
        while cut > 0 && bytes.get(cut - 1).copied().is_some_and(word_byte) {
            cut -= 1;
        }
    }
    // Word bytes are ASCII: a cut moved back over them is still on a char boundary.
    let kept = text.get(..cut).unwrap_or_default();
    format!("{kept}… [{} bytes cut]", text.len() - cut)
}

/// `details` within [`DETAILS_LIMIT`]: each string and key [`bounded`], members and items in
/// order until the budget is spent (the one that spends it is kept, bounded).
pub fn bounded_details(details: Value) -> Value {
    let mut budget = DETAILS_LIMIT;
    bounded_value(details, &mut budget)
}

fn bounded_value(value: Value, budget: &mut usize) -> Value {
    match value {
        Value::String(text) => {
            let text = if text.len() > TEXT_LIMIT {
                bounded(&text)
            } else {
                text
            };
            *budget = budget.saturating_sub(text.len());
            Value::String(text)
        }
        Value::Array(items) => {
            *budget = budget.saturating_sub(VALUE_COST);
            let mut kept = Vec::new();
            for item in items {
                if *budget == 0 {
                    break;
                }
                kept.push(bounded_value(item, budget));
            }
            Value::Array(kept)
        }
        Value::Object(members) => {
            *budget = budget.saturating_sub(VALUE_COST);
            let mut kept = Map::new();
            for (key, item) in members {
                if *budget == 0 {
                    break;
                }
                let key = if key.len() > TEXT_LIMIT {
                    bounded(&key)
                } else {
                    key
                };
                *budget = budget.saturating_sub(key.len());
                let item = bounded_value(item, budget);
                kept.insert(key, item);
            }
            Value::Object(kept)
        }
        other => {
            *budget = budget.saturating_sub(VALUE_COST);
            other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_texts_are_kept_whole() {
        assert_eq!(bounded("not found"), "not found");
        let exact = "x".repeat(TEXT_LIMIT);
        assert_eq!(bounded(&exact), exact);
    }

    #[test]
    fn a_long_text_keeps_its_start_and_says_how_much_was_cut() {
        let text = format!("{} {}", "word ".repeat(2000), "y".repeat(10));
        let kept = bounded(&text);
        assert!(kept.len() <= TEXT_LIMIT + 40, "{}", kept.len());
        assert!(kept.starts_with("word word "));
        let cut = text.len() - kept.find('…').unwrap_or_default();
        assert!(kept.ends_with(&format!("… [{cut} bytes cut]")), "{kept}");
        // 4096 is inside the 820th "word": it is cut before it, not in it.
        assert!(kept.contains("word … ["), "{}", &kept[kept.len() - 40..]);
    }

    #[test]
    fn the_cut_is_on_a_char_boundary() {
        // 3-byte characters: 4096 is not a boundary.
        let text = "€ ".repeat(3000);
        let kept = bounded(&text);
        let prefix = &kept[..kept.find('…').unwrap_or_default()];
        assert!(prefix.len() <= TEXT_LIMIT && prefix.chars().all(|c| c == '€' || c == ' '));
        let text = "€".repeat(3000);
        let kept = bounded(&text);
        assert_eq!(kept.find('…'), Some(4095), "a whole number of 3-byte chars");
    }

    #[test]
    fn a_secret_across_the_limit_is_never_kept_in_part() {
        let secret = "skc_s3cr3t%2Fwith%2Bbase64%3Dchars";
        for offset in TEXT_LIMIT - 60..=TEXT_LIMIT {
            let text = format!("{}client_secret={secret}&more", "a ".repeat(offset / 2));
            let text = if offset % 2 == 1 {
                format!(" {text}")
            } else {
                text
            };
            let kept = bounded(&text);
            if !kept.contains(secret) {
                assert!(
                    !kept.contains("skc_"),
                    "a part of the secret at {offset}: {kept:?}"
                );
            }
        }
        // One word longer than the limit: nothing of it is kept.
        let kept = bounded(&"A".repeat(10_000));
        assert_eq!(kept, "… [10000 bytes cut]");
    }

    #[test]
    fn details_are_bounded_in_size_and_their_strings_in_length() {
        let big = "m".repeat(1_000_000);
        let mut long_key = Map::new();
        long_key.insert(big.clone(), json!(1));
        let details = json!([
            {"@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo", "error_code": big},
            long_key,
            (0..100_000).collect::<Vec<_>>(),
            {"after": "the budget"}
        ]);
        let bounded = bounded_details(details);
        let size = bounded.to_string().len();
        assert!(size < DETAILS_LIMIT + 2 * TEXT_LIMIT, "{size}");
        assert_eq!(
            bounded[0]["@type"],
            "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo"
        );
        let code = bounded[0]["error_code"].as_str().unwrap_or_default();
        assert!(code.ends_with("… [1000000 bytes cut]"), "{}", code.len());
        assert!(bounded.as_array().is_some_and(|a| a.len() < 4));
        // Small details pass unchanged.
        let small =
            json!([{"error_code": "TOOL_ERROR", "tool_error_info": {"execution_id": "ex_1"}}]);
        assert_eq!(bounded_details(small.clone()), small);
    }

    #[test]
    fn a_huge_error_body_gives_a_failure_of_bounded_size() {
        use crate::errors::{CallKind, ScalekitError};
        use bytes::Bytes;
        use http::HeaderMap;

        let huge = "z".repeat(2 * 1024 * 1024);
        let spaced = "message ".repeat(256 * 1024);
        let body = json!({"code": 3, "message": spaced, "details": [
            {"@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo", "error_code": huge},
            {"error_code": "TOOL_ERROR", "tool_error_info": {"tool_error_message": spaced}}]});
        let body = Bytes::from(body.to_string());
        for kind in [CallKind::ControlPlane, CallKind::Proxy] {
            let ScalekitError::Http(f) =
                ScalekitError::from_response(kind, 400, HeaderMap::new(), body.clone())
            else {
                panic!("expected Http")
            };
            assert!(f.message.len() < TEXT_LIMIT + 100, "{}", f.message.len());
            assert!(f.message.ends_with(" bytes cut]"), "{}", &f.message[..80]);
            assert!(f.message.contains("] message message "));
            let details = f.details.as_ref().map(Value::to_string).unwrap_or_default();
            assert!(
                details.len() < DETAILS_LIMIT + 2 * TEXT_LIMIT,
                "{}",
                details.len()
            );
            assert_eq!(
                f.body.len(),
                body.len(),
                "the body stays whole, for err.data"
            );
            if kind == CallKind::ControlPlane {
                let code = f.error_code.as_deref().unwrap_or_default();
                assert_eq!(code, "… [2097152 bytes cut]");
                // TOOL_ERROR is decided on every detail, its texts bounded too.
                let tool = f.tool_error.as_ref().map(|t| t.message.len());
                assert!(tool.is_some_and(|n| n < TEXT_LIMIT + 100), "{tool:?}");
            }
        }
        let token = json!({"error": "invalid_client", "error_description": spaced});
        let ScalekitError::Http(f) = ScalekitError::from_response(
            CallKind::Token,
            401,
            HeaderMap::new(),
            Bytes::from(token.to_string()),
        ) else {
            panic!("expected Http")
        };
        assert!(f.message.len() < TEXT_LIMIT + 120, "{}", f.message.len());
        assert!(f.message.starts_with(
            "token request failed with status 401 Unauthorized: invalid_client: message message "
        ));
    }
}
