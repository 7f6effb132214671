//! `request_schema`: the JSON Schema an endpoint's request bodies must
//! satisfy, written as a model of the REST API for `application/json`.
//! API Gateway validates models with JSON Schema draft 4
//! (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html);
//! the model names the draft, since LocalStack 4.13.1 validates a model
//! naming none with a later draft (`2.0` an integer, which draft 4 says it
//! is not).

use serde_json::Value as Json;

/// The draft API Gateway validates models with.
pub const DRAFT_4: &str = "http://json-schema.org/draft-04/schema#";

/// The media type whose bodies the model is for.
pub const CONTENT_TYPE: &str = "application/json";

/// The model's schema for the configured `text`: the same schema, naming
/// draft 4 when it names no draft. An error says what is wrong with it.
pub fn written(text: &str) -> Result<Json, String> {
    let parsed: Json = serde_json::from_str(text).map_err(|e| {
        format!("request_schema is not JSON ({e}). Write it with jsonencode({{ type = \"object\", ... }}).")
    })?;
    let Json::Object(mut schema) = parsed else {
        return Err(format!(
            "request_schema is {text:?}, not a JSON Schema: a schema is an object, e.g. \
             jsonencode({{ type = \"object\", required = [\"id\"] }})."
        ));
    };
    match schema.get("$schema") {
        None => {
            schema.insert("$schema".into(), DRAFT_4.into());
        }
        Some(Json::String(draft)) if is_draft_4(draft) => {}
        Some(other) => {
            return Err(format!(
                "request_schema names \"$schema\" = {other}: API Gateway validates request \
                 bodies with JSON Schema draft 4 only. Remove \"$schema\" (the model names \
                 draft 4) or set it to {DRAFT_4:?}."
            ));
        }
    }
    Ok(Json::Object(schema))
}

/// The text the endpoint's model is written with. Plan-time validation
/// refused anything `written` cannot take; should something slip through,
/// it goes to API Gateway as it is, which refuses what is not a schema.
pub fn model_text(text: &str) -> String {
    written(text).map_or_else(|_| text.to_owned(), |schema| schema.to_string())
}

/// Whether the schema a model holds (`held`) is what `text` writes: the
/// same JSON, whatever its spacing and key order.
pub fn holds(held: &str, text: &str) -> bool {
    match (serde_json::from_str::<Json>(held), written(text)) {
        (Ok(held), Ok(wanted)) => held == wanted,
        _ => false,
    }
}

/// The configuration's likely spelling of the schema a model holds, for an
/// import: without the draft the endpoint names, minified with sorted keys
/// as `jsonencode()` writes it. What is not JSON is given as it is.
pub fn as_configured(held: &str) -> String {
    let Ok(Json::Object(mut schema)) = serde_json::from_str::<Json>(held) else {
        return held.to_owned();
    };
    if schema.get("$schema").and_then(Json::as_str).is_some_and(is_draft_4) {
        schema.remove("$schema");
    }
    Json::Object(schema).to_string()
}

fn is_draft_4(uri: &str) -> bool {
    let bare = |u: &str| u.trim_end_matches('#').trim_start_matches("http://").to_owned();
    bare(uri) == bare(DRAFT_4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_draft_4_and_any_spelling_of_the_same_schema_is_held() {
        let written = written(r#"{"type":"object","required":["id"]}"#).unwrap();
        assert_eq!(written["$schema"], DRAFT_4);
        assert_eq!(written["required"], serde_json::json!(["id"]));
        let held = r#"{"required": ["id"], "$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}"#;
        assert!(holds(held, r#"{"type":"object","required":["id"]}"#));
        assert!(!holds(held, r#"{"type":"object"}"#));
        assert!(written_ok(r#"{"$schema":"http://json-schema.org/draft-04/schema"}"#));
    }

    fn written_ok(text: &str) -> bool {
        written(text).is_ok()
    }

    #[test]
    fn an_imported_schema_reads_as_jsonencode_writes_it() {
        let held = r#"{"type": "object", "$schema": "http://json-schema.org/draft-04/schema#", "required": ["id"]}"#;
        assert_eq!(as_configured(held), r#"{"required":["id"],"type":"object"}"#);
        assert_eq!(as_configured("not json"), "not json");
    }

    #[test]
    fn anything_but_a_draft_4_schema_object_is_refused_with_what_to_write() {
        let error = written("{type: object}").unwrap_err();
        assert!(error.contains("jsonencode"), "{error}");
        assert!(written("[1]").unwrap_err().contains("is an object"));
        let later = written(r#"{"$schema":"http://json-schema.org/draft-07/schema#"}"#);
        assert!(later.unwrap_err().contains("draft 4 only"));
    }
}
