//! What a route tells the dispatcher: the function to queue the event for
//! and the answer to give once Lambda has queued it. It travels in a request
//! header that the route's integration sets with parameter mapping
//! (`overwrite:header.NAME`), so API Gateway replaces whatever a client
//! sends under that name, and the dispatcher removes it before forwarding.
//! The same contract is written in `provider/dispatcher/dispatcher.py`.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The header the integration sets; payload 2.0 lower-cases header names.
pub const HEADER: &str = "x-async-lambda-route";

/// The integration's request-parameter key that sets [`HEADER`].
pub fn parameter_key() -> String {
    format!("overwrite:header.{HEADER}")
}

/// The version of the encoding, checked by the dispatcher.
const VERSION: u8 = 1;

/// One route's dispatch: whom to invoke and what to answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteConfig {
    /// The target's unqualified ARN.
    pub function: String,
    pub qualifier: Option<String>,
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    /// `None`: the dispatcher's default, `{"accepted": true, "requestId": ...}`.
    pub body: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Encoded {
    v: u8,
    #[serde(flatten)]
    config: RouteConfig,
}

impl RouteConfig {
    /// The header value: base64url (no padding, so API Gateway's mapping
    /// syntax sees no `$` or quotes) of the JSON document.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(&Encoded { v: VERSION, config: self.clone() })
            .expect("a route's configuration serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    /// The configuration a header value carries; `None` when it is not one
    /// this provider wrote.
    pub fn decode(value: &str) -> Option<RouteConfig> {
        let json = URL_SAFE_NO_PAD.decode(value).ok()?;
        let encoded: Encoded = serde_json::from_slice(&json).ok()?;
        (encoded.v == VERSION).then_some(encoded.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_round_trips_through_its_header_value() {
        let config = RouteConfig {
            function: "arn:aws:lambda:us-east-1:123456789012:function:worker".into(),
            qualifier: Some("live".into()),
            status: 202,
            headers: BTreeMap::from([("x-quoted".into(), r#"say "hi" $x"#.into())]),
            body: Some("{\"ok\": \"ünïcode 🎉\"}".into()),
        };
        let value = config.encode();
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(RouteConfig::decode(&value), Some(config));
    }

    #[test]
    fn the_dispatcher_reads_the_documented_shape() {
        let json = r#"{"v":1,"function":"arn:aws:lambda:us-east-1:1:function:f","qualifier":null,"status":202,"headers":{},"body":null}"#;
        let config = RouteConfig::decode(&URL_SAFE_NO_PAD.encode(json)).unwrap();
        assert_eq!(config.body, None);
        let other_version = json.replace("\"v\":1", "\"v\":2");
        assert_eq!(RouteConfig::decode(&URL_SAFE_NO_PAD.encode(other_version)), None);
        assert_eq!(RouteConfig::decode("not base64!"), None);
    }
}
