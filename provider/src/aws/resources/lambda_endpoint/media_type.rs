//! The keys of `request_templates` and `response_templates`: media types,
//! which API Gateway selects a template by. A key it never selects fails no
//! call, so a typo shows only as 415s once clients call; plan catches it.

use super::templates::MEDIA_TYPES;

/// A key parsed as an RFC 9110 media type (section 8.3.1):
/// `type "/" subtype *( OWS ";" OWS token "=" ( token / quoted-string ) )`.
#[derive(Debug, PartialEq, Eq)]
pub struct MediaType {
    /// `type/subtype`, lower-cased: media types are case-insensitive.
    pub essence: String,
    pub has_parameters: bool,
}

impl MediaType {
    pub fn parse(key: &str) -> Result<MediaType, String> {
        let invalid = || {
            format!(
                "{key:?} is not a media type: expected type/subtype with optional parameters, \
                 such as \"application/json\" or \"text/plain; charset=utf-8\"."
            )
        };
        let (essence, parameters) = key.split_once(';').unwrap_or((key, ""));
        let valid_essence = essence
            .split_once('/')
            .is_some_and(|(kind, subtype)| is_token(kind) && is_token(subtype));
        let has_parameters = key.contains(';');
        if !valid_essence || (has_parameters && !parameters.split(';').all(is_parameter)) {
            return Err(invalid());
        }
        Ok(MediaType { essence: essence.to_ascii_lowercase(), has_parameters })
    }

    /// The built-in media type this one is a single edit (insertion,
    /// deletion, substitution or swap of neighbours) away from: almost
    /// certainly a typo of it.
    pub fn near_built_in(&self) -> Option<&'static str> {
        MEDIA_TYPES.into_iter().find(|built_in| edit_distance(&self.essence, built_in) == 1)
    }
}

/// RFC 9110 `tchar`s, one or more.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `OWS token "=" ( token / quoted-string ) OWS`.
fn is_parameter(text: &str) -> bool {
    let Some((name, value)) = text.trim_matches([' ', '\t']).split_once('=') else {
        return false;
    };
    let quoted = value.len() >= 2
        && value.starts_with('"')
        && value.ends_with('"')
        && value[1..value.len() - 1].bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
    is_token(name) && (is_token(value) || quoted)
}

/// Optimal string alignment distance: Levenshtein's, plus swapping two
/// neighbours as one edit ("appilcation").
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_with_and_without_parameters_parse() {
        for key in [
            "application/json",
            "Application/JSON",
            "text/plain; charset=utf-8",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded; charset=\"utf-8\"",
            "application/vnd.api+json",
            "multipart/form-data; boundary=something",
        ] {
            assert!(MediaType::parse(key).is_ok(), "{key}");
        }
        let parsed = MediaType::parse("Text/Plain; charset=utf-8").unwrap();
        assert_eq!(parsed, MediaType { essence: "text/plain".into(), has_parameters: true });
    }

    #[test]
    fn what_is_not_a_media_type_is_refused() {
        for key in [
            "json",
            "application/",
            "/json",
            "application/json/x",
            "application/ json",
            "application/json;",
            "application/json; charset",
            "application/json; charset=",
            "application/json; =utf-8",
            "application/json; charset=\"utf-8",
            "$default",
            "",
        ] {
            assert!(MediaType::parse(key).is_err(), "{key}");
        }
    }

    #[test]
    fn one_edit_from_a_built_in_type_is_a_near_miss() {
        let near = |key: &str| MediaType::parse(key).unwrap().near_built_in();
        assert_eq!(near("aplication/json"), Some("application/json"));
        assert_eq!(near("appliaction/json"), Some("application/json"));
        assert_eq!(near("application/jsn"), Some("application/json"));
        assert_eq!(near("text/plan; charset=utf-8"), Some("text/plain"));
        assert_eq!(
            near("application/x-www-form-urlencode"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(near("application/json"), None, "the type itself");
        assert_eq!(near("APPLICATION/JSON"), None, "the type itself, other case");
        assert_eq!(near("application/xml"), None);
        assert_eq!(near("aplication/jsn"), None, "two edits: maybe meant");
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("json", "jsno"), 1);
    }
}
