//! JS values → [`Given`]: what napi can see of a value, for the rules in `scalekit_core::args`.

use napi::bindgen_prelude::{JsValue, Object, Unknown};
use napi::ValueType;

use scalekit_core::args::Given;

/// Classifies a JS value; `String(value)` only for the kinds whose message shows it.
pub(crate) fn given(value: Option<Unknown<'_>>) -> napi::Result<Given> {
    let Some(value) = value else {
        return Ok(Given::Absent);
    };
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => Given::Absent,
        // SAFETY: each cast matches the type napi just reported.
        ValueType::String => Given::Text(unsafe { value.cast::<String>() }?),
        ValueType::Number => Given::Number(unsafe { value.cast::<f64>() }?),
        ValueType::Boolean => Given::Bool(unsafe { value.cast::<bool>() }?),
        other => Given::Other {
            type_of: type_of(other),
            text: text(&value, other),
        },
    })
}

/// A string argument on the hot path: a plain string costs one typeof more than `String`.
pub(crate) fn string(value: Option<Unknown<'_>>) -> napi::Result<Given> {
    given(value)
}

/// A named property of an options object, classified.
pub(crate) fn field(object: &Object<'_>, name: &str) -> napi::Result<Given> {
    given(object.get::<Unknown>(name)?)
}

fn type_of(t: ValueType) -> &'static str {
    match t {
        ValueType::Symbol => "symbol",
        ValueType::Function => "function",
        ValueType::BigInt => "bigint",
        _ => "object",
    }
}

/// `String(value)`; a Symbol (which cannot be coerced) shows as `Symbol()`.
fn text(value: &Unknown<'_>, t: ValueType) -> String {
    if t == ValueType::Symbol {
        return "Symbol()".into();
    }
    value
        .coerce_to_string()
        .and_then(|s| s.into_utf8())
        .and_then(|s| s.into_owned())
        .unwrap_or_default()
}
