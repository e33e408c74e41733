//! Reading the params object a JS method received: each field checked for its type, with
//! messages naming the field, and `authorizationDetails` turned into its wire shape.

use serde_json::{json, Map, Value};

use super::DETAIL_CASES;
use crate::errors::ScalekitError;
use scalekit_wire::names::camel_to_snake;

/// The fields of a view's `connectedAccount` (CreateConnectedAccount, UpdateConnectedAccount),
/// and only those: lifted to the top by [`Params::translated`].
pub(super) const LIFTED: [&str; 2] = ["authorizationDetails", "apiConfig"];

pub(super) const REF_REQUIRED: &str =
    "either connectedAccountId or connectionName + identifier is required";

/// The parameters object a JS method received, read field by field with clear type errors. The
/// second field names the top-level params that were NaN or ±Infinity (JSON has neither, so JS
/// sends their text, `lib/args.js`): a number rule refuses that text, and [`Params::string`]
/// refuses these names as it refuses any number.
#[derive(Debug, Clone, Default)]
pub struct Params(Map<String, Value>, Vec<String>);

/// Params from a JSON object, as the unit tests write them (anything else: none).
#[cfg(test)]
pub(crate) fn params(value: Value) -> Params {
    match value {
        Value::Object(map) => Params::from_map(map),
        _ => Params::default(),
    }
}

impl Params {
    pub fn from_json(text: &str) -> Result<Self, ScalekitError> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Params::from_map(map)),
            Ok(Value::Null) => Ok(Params::default()),
            _ => Err(ScalekitError::validation(
                "params",
                "params must be an object",
            )),
        }
    }

    /// Params from an object already read (a nested one, renamed by its reader).
    pub(crate) fn from_map(map: Map<String, Value>) -> Self {
        Params(map, Vec::new())
    }

    /// The same params, `names` marked as given NaN or ±Infinity (their values are that text).
    pub fn with_non_finite(mut self, names: Vec<String>) -> Self {
        self.1 = names;
        self
    }

    /// The params under other names (a low-level view's, accounts/views.rs): each `(from, to)`
    /// renamed, and the fields of the object `lift` (when given) moved to the top. A `to` name
    /// given as well is refused: the view has one name for each field.
    pub(crate) fn translated(
        &self,
        method: &str,
        renames: &[(&'static str, &'static str)],
        lift: Option<&'static str>,
    ) -> Result<Params, ScalekitError> {
        let mut out = self.0.clone();
        for (from, to) in renames {
            if out.contains_key(*to) {
                return Err(ScalekitError::validation(
                    *to,
                    format!("{method} takes {from}, not {to}"),
                ));
            }
            if let Some(value) = out.remove(*from) {
                out.insert((*to).to_string(), value);
            }
        }
        let non_finite = self
            .1
            .iter()
            .map(|name| match renames.iter().find(|(from, _)| from == name) {
                Some((_, to)) => (*to).to_string(),
                None => name.clone(),
            })
            .collect();
        if let Some(name) = lift {
            for key in LIFTED {
                if out.contains_key(key) {
                    return Err(ScalekitError::validation(
                        name,
                        format!("{method} takes {key} inside {name}, not beside it"),
                    ));
                }
            }
            if let Some(Value::Object(inner)) = self.object(name)? {
                out.remove(name);
                for (key, value) in inner {
                    if !LIFTED.contains(&key.as_str()) {
                        return Err(ScalekitError::validation(
                            name,
                            format!("{name}.{key} is not a field of {name}: it takes authorizationDetails and apiConfig"),
                        ));
                    }
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(Params(out, non_finite))
    }

    /// The names given, for the rules that refuse a name the method does not take.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// A nested object field (e.g. `filter`) read with the same rules; absent is empty.
    pub(crate) fn nested(&self, name: &'static str) -> Result<Params, ScalekitError> {
        Ok(match self.object(name)? {
            Some(Value::Object(map)) => Params::from_map(map.clone()),
            _ => Params::default(),
        })
    }

    /// A boolean field; `null`/absent is `None`.
    pub(crate) fn boolean(&self, name: &'static str) -> Result<Option<bool>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be a boolean"),
            )),
        }
    }

    /// The raw value of a field, for the few that take more than one type.
    pub(crate) fn raw(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A string field; `null`/absent is `None`, another type is an error naming the field.
    pub(crate) fn string(&self, name: &'static str) -> Result<Option<&str>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !self.1.iter().any(|n| n == name) => Ok(Some(s)),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be a string"),
            )),
        }
    }

    /// Trimmed and non-empty, or `None`.
    pub(crate) fn trimmed(&self, name: &'static str) -> Result<Option<&str>, ScalekitError> {
        Ok(self.string(name)?.map(str::trim).filter(|s| !s.is_empty()))
    }

    /// Non-empty (as the SDK's `x && {x}`), untrimmed.
    pub(crate) fn truthy(&self, name: &'static str) -> Result<Option<&str>, ScalekitError> {
        Ok(self.string(name)?.filter(|s| !s.is_empty()))
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<&str, ScalekitError> {
        match self.string(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ScalekitError::validation(
                name,
                format!("{name} is required"),
            )),
        }
    }

    pub(crate) fn object(&self, name: &'static str) -> Result<Option<&Value>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be an object"),
            )),
        }
    }

    pub(crate) fn number(&self, name: &'static str) -> Result<Option<f64>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be a number"),
            )),
        }
    }

    /// `pageSize` as the server's rule has it (a whole number up to `max`); 0, proto3's
    /// default, is the same as not sending it.
    pub(crate) fn page_size(&self, max: u32) -> Result<Option<String>, ScalekitError> {
        match self.number("pageSize")? {
            None => Ok(None),
            Some(n) if n.is_finite() && n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n) => {
                Ok((n > 0.0).then(|| format!("{}", n as u32)))
            }
            Some(_) => Err(ScalekitError::validation(
                "pageSize",
                format!("pageSize must be a whole number from 0 to {max}"),
            )),
        }
    }

    pub(crate) fn string_list(&self, name: &'static str) -> Result<Vec<String>, ScalekitError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        ScalekitError::validation(
                            name,
                            format!("{name} must be an array of strings"),
                        )
                    })
                })
                .collect(),
            Some(_) => Err(ScalekitError::validation(
                name,
                format!("{name} must be an array of strings"),
            )),
        }
    }

    /// The account reference fields in the official SDK's order, after its check
    /// (get / update / delete): trimmed id, connection name and identifier; org/user as given.
    pub(super) fn account_ref(&self) -> Result<Map<String, Value>, ScalekitError> {
        let connector = self.trimmed("connectionName")?;
        let identifier = self.trimmed("identifier")?;
        let id = self.trimmed("connectedAccountId")?;
        if id.is_none() && !(connector.is_some() && identifier.is_some()) {
            return Err(ScalekitError::validation(
                "connectedAccountId",
                REF_REQUIRED,
            ));
        }
        let mut out = Map::new();
        put(&mut out, "connector", connector);
        put(&mut out, "identifier", identifier);
        put(&mut out, "id", id);
        self.put_owner(&mut out)?;
        Ok(out)
    }

    /// `organization_id` and `user_id`, when given, in that order.
    pub(super) fn put_owner(&self, out: &mut Map<String, Value>) -> Result<(), ScalekitError> {
        put(out, "organization_id", self.truthy("organizationId")?);
        put(out, "user_id", self.truthy("userId")?);
        Ok(())
    }

    /// `connected_account: {authorization_details?, api_config?}` as create/update send it.
    pub(super) fn account_payload(&self) -> Result<Value, ScalekitError> {
        let mut payload = Map::new();
        if let Some(details) = self.object("authorizationDetails")? {
            payload.insert("authorization_details".into(), details_to_wire(details)?);
        }
        if let Some(config) = self.object("apiConfig")? {
            payload.insert("api_config".into(), config.clone());
        }
        Ok(Value::Object(payload))
    }
}

pub(crate) fn put(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.to_string(), Value::String(v.to_string()));
    }
}

/// A oneof member's message fields, renamed to proto names. `static_auth.details` is a Struct
/// whose contents pass untouched (only the top-level keys are renamed).
fn member_to_wire(value: &Value) -> Value {
    let Some(fields) = value.as_object() else {
        return json!({});
    };
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| (camel_to_snake(k), v.clone()))
            .collect(),
    )
}

/// Accepts `{details: {case, value}}` (the official SDK's shape), `{oauthToken: {...}}` /
/// `{staticAuth: {details}}` (plain), or the wire shape, and returns the wire shape.
pub fn details_to_wire(details: &Value) -> Result<Value, ScalekitError> {
    let bad = || {
        ScalekitError::validation(
            "authorizationDetails",
            "authorizationDetails must be { details: { case, value } } or one of { oauthToken }, { staticAuth }, { googleDwd }, { trustedIdp }",
        )
    };
    let obj = details.as_object().ok_or_else(bad)?;
    if let Some(inner) = obj.get("details").and_then(Value::as_object) {
        if inner.contains_key("case") || inner.is_empty() {
            let case = inner.get("case").and_then(Value::as_str);
            let Some(case) = case else {
                return Ok(json!({}));
            };
            let (wire, _) = DETAIL_CASES
                .iter()
                .find(|(w, c)| *c == case || *w == case)
                .ok_or_else(bad)?;
            let value = inner.get("value").cloned().unwrap_or_else(|| json!({}));
            return Ok(json!({ *wire: member_to_wire(&value) }));
        }
    }
    let mut found = None;
    for (wire, case) in DETAIL_CASES {
        if let Some(v) = obj.get(case).or_else(|| obj.get(wire)) {
            if found.is_some() {
                return Err(ScalekitError::validation(
                    "authorizationDetails",
                    "authorizationDetails must hold exactly one of oauthToken, staticAuth, googleDwd, trustedIdp",
                ));
            }
            found = Some((wire, v));
        }
    }
    let (wire, value) = found.ok_or_else(bad)?;
    Ok(json!({ wire: member_to_wire(value) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_finite_number_is_refused_where_a_string_is_read_and_a_number_is() {
        let given = Params::from_json(r#"{"identifier": "NaN", "pageSize": "Infinity", "connector": "-Infinity", "name": "NaN"}"#)
            .unwrap()
            .with_non_finite(vec!["identifier".into(), "pageSize".into(), "connector".into()]);
        fn refused<T: std::fmt::Debug>(r: Result<T, ScalekitError>) -> String {
            r.unwrap_err().to_string()
        }
        assert_eq!(
            refused(given.string("identifier")),
            "identifier must be a string"
        );
        assert_eq!(
            refused(given.required("identifier")),
            "identifier must be a string"
        );
        assert_eq!(
            refused(given.number("pageSize")),
            "pageSize must be a number"
        );
        // A string "NaN" the caller wrote is a string.
        assert_eq!(given.string("name").unwrap(), Some("NaN"));
        // A renamed param keeps its mark (connectedAccounts' `connector`).
        let renamed = given
            .translated(
                "connectedAccounts.getConnectedAccountByIdentifier",
                &[("connector", "connectionName")],
                None,
            )
            .unwrap();
        assert_eq!(
            refused(renamed.string("connectionName")),
            "connectionName must be a string"
        );
    }
}
