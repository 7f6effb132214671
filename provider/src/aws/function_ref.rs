//! Lambda function references as users write them: a name, a full ARN or a
//! partial ARN, each optionally qualified; the forms Lambda's API accepts.

/// A parsed function reference; the parts the user left out are `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionRef {
    pub partition: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub name: String,
    pub qualifier: Option<String>,
}

const FORMS: &str = "Expected a function name (my-function), a full ARN \
    (arn:aws:lambda:us-east-1:123456789012:function:my-function) or a partial ARN \
    (123456789012:function:my-function), each optionally followed by :VERSION or :ALIAS.";

impl FunctionRef {
    pub fn parse(text: &str) -> Result<FunctionRef, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (partition, region, account, rest) = match parts.as_slice() {
            ["arn", partition, "lambda", region, account, "function", rest @ ..] => {
                if !partition.starts_with("aws") {
                    return Err(format!(
                        "{text:?}: the partition {partition:?} is not an AWS partition. {FORMS}"
                    ));
                }
                if crate::aws::validate::region(region).is_err() {
                    return Err(format!("{text:?}: {region:?} is not a region. {FORMS}"));
                }
                (Some(*partition), Some(*region), Some(*account), rest)
            }
            ["arn", ..] => return Err(format!("{text:?} is not a Lambda function ARN. {FORMS}")),
            [account, "function", rest @ ..] => (None, None, Some(*account), rest),
            rest => (None, None, None, rest),
        };
        if let Some(account) = account
            && !crate::aws::validate::is_account_id(account)
        {
            return Err(format!("{text:?}: {account:?} is not a 12-digit account id. {FORMS}"));
        }
        let (name, qualifier) = match rest {
            [name] => (*name, None),
            [name, qualifier] => (*name, Some(*qualifier)),
            _ => return Err(format!("{text:?} is not a function reference. {FORMS}")),
        };
        if !is_function_name(name) {
            return Err(format!(
                "{text:?}: the function name {name:?} must be 1 to 64 letters, digits, hyphens or \
                 underscores. {FORMS}"
            ));
        }
        if let Some(q) = qualifier {
            is_qualifier(q).map_err(|why| format!("{text:?}: {why} {FORMS}"))?;
        }
        Ok(FunctionRef {
            partition: partition.map(str::to_owned),
            region: region.map(str::to_owned),
            account: account.map(str::to_owned),
            name: name.to_owned(),
            qualifier: qualifier.map(str::to_owned),
        })
    }
}

fn is_function_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A version number, `$LATEST`, or an alias name (which may not be all digits
/// only because then it is a version).
pub fn is_qualifier(q: &str) -> Result<(), String> {
    let ok = q == "$LATEST"
        || ((1..=128).contains(&q.len())
            && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the qualifier {q:?} must be a version number, $LATEST, or an alias of up to 128 \
             letters, digits, hyphens or underscores."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_form() {
        let name = FunctionRef::parse("my-function").unwrap();
        assert_eq!((name.name.as_str(), name.account), ("my-function", None));
        let partial = FunctionRef::parse("123456789012:function:fn_1:live").unwrap();
        assert_eq!(partial.account.as_deref(), Some("123456789012"));
        assert_eq!(partial.qualifier.as_deref(), Some("live"));
        let full =
            FunctionRef::parse("arn:aws:lambda:eu-west-1:123456789012:function:f:7").unwrap();
        assert_eq!(full.region.as_deref(), Some("eu-west-1"));
        assert_eq!(full.qualifier.as_deref(), Some("7"));
        assert_eq!(FunctionRef::parse("f:$LATEST").unwrap().qualifier.as_deref(), Some("$LATEST"));
    }

    #[test]
    fn rejects_malformed_references_with_the_expected_forms() {
        for bad in [
            "",
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "arn:aws:s3:::bucket",
            "arn:aws:lambda:nowhere:123456789012:function:f",
            "arn:aws:lambda:us-east-1:12345:function:f",
            "has space",
            "f:bad/qualifier",
            "a:b:c",
            &"x".repeat(65),
        ] {
            let err = FunctionRef::parse(bad).unwrap_err();
            assert!(err.contains("Expected a function name"), "{bad}: {err}");
        }
    }
}
