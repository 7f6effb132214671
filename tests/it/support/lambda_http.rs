//! What Rust's `lambda_http` (awslabs/aws-lambda-rust-runtime, the crate
//! Rust handlers of API Gateway events are written with) makes of an event:
//! the `http::Request` its runtime would hand the handler.

use lambda_http::{Body, RequestExt};
use serde_json::Value as Json;

/// The request as a handler sees it: method, path, query pairs (every
/// value), headers (every value, names lower case) and the body's bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// `event` read by `lambda_http::request::from_str`, as its runtime reads
/// an invocation's payload; the error it gives when it cannot.
pub fn seen(event: &Json) -> Result<Seen, String> {
    let request = lambda_http::request::from_str(&event.to_string()).map_err(|e| e.to_string())?;
    let parameters = request.query_string_parameters();
    let mut query: Vec<(String, String)> = parameters
        .iter()
        .flat_map(|(name, _)| {
            let values = parameters.all(name).unwrap_or_default();
            values.into_iter().map(move |value| (name.to_owned(), value.to_owned()))
        })
        .collect();
    query.sort();
    query.dedup();
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    headers.sort();
    let body = match request.body() {
        Body::Empty => Vec::new(),
        Body::Text(text) => text.as_bytes().to_vec(),
        Body::Binary(bytes) => bytes.clone(),
    };
    Ok(Seen {
        method: request.method().as_str().to_owned(),
        path: request.uri().path().to_owned(),
        query,
        headers,
        body,
    })
}
