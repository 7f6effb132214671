//! Lambda function references as users write them: a name, a full ARN or a
//! partial ARN, each optionally qualified; the forms Lambda's API accepts;
//! and the way back from an ARN to what a user would write.

use crate::aws::arn::Account;
use crate::aws::arn::Arn;

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
        let arn = Arn::parse(text);
        let rest: Vec<&str> = match arn {
            Some(arn) => arn.resource.split(':').collect(),
            None => text.split(':').collect(),
        };
        let (partition, region, account, rest) = match (arn, rest.as_slice()) {
            (Some(arn), ["function", rest @ ..]) if arn.service == "lambda" => {
                if !arn.partition.starts_with("aws") {
                    return Err(format!(
                        "{text:?}: the partition {:?} is not an AWS partition. {FORMS}",
                        arn.partition
                    ));
                }
                if crate::aws::validate::region(arn.region).is_err() {
                    return Err(format!("{text:?}: {:?} is not a region. {FORMS}", arn.region));
                }
                (Some(arn.partition), Some(arn.region), Some(arn.account), rest)
            }
            (Some(_), _) | (None, ["arn", ..]) => {
                return Err(format!("{text:?} is not a Lambda function ARN. {FORMS}"));
            }
            (None, [account, "function", rest @ ..]) => (None, None, Some(*account), rest),
            (None, rest) => (None, None, None, rest),
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

    /// `text` as a reference, read leniently: it was validated at plan, so
    /// what does not parse is taken as a bare function name.
    pub fn lenient(text: &str) -> FunctionRef {
        FunctionRef::parse(text).unwrap_or(FunctionRef {
            partition: None,
            region: None,
            account: None,
            name: text.to_owned(),
            qualifier: None,
        })
    }

    /// The qualified ARN this reference names, completed with `account`'s
    /// partition, region and account; `qualifier` applies when the reference
    /// has none of its own.
    pub fn arn(&self, account: &Account, qualifier: Option<&str>) -> String {
        let base = format!(
            "arn:{}:lambda:{}:{}:function:{}",
            self.partition.as_deref().unwrap_or(&account.partition),
            self.region.as_deref().unwrap_or(&account.region),
            self.account.as_deref().unwrap_or(&account.account_id),
            self.name
        );
        match self.qualifier.as_deref().or(qualifier) {
            Some(q) => format!("{base}:{q}"),
            None => base,
        }
    }
}

/// Splits a qualified function ARN into the unqualified ARN and the qualifier.
pub fn split_qualifier(function_arn: &str) -> (&str, Option<&str>) {
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    match function_arn.match_indices(':').nth(6) {
        Some((i, _)) => (&function_arn[..i], Some(&function_arn[i + 1..])),
        None => (function_arn, None),
    }
}

/// The function name a user would write for `unqualified_arn`: the bare name
/// when it is in `account`'s account and region, else the ARN.
pub fn function_name_for(account: &Account, unqualified_arn: &str) -> String {
    let local_prefix = format!(
        "arn:{}:lambda:{}:{}:function:",
        account.partition, account.region, account.account_id
    );
    unqualified_arn.strip_prefix(&local_prefix).unwrap_or(unqualified_arn).to_owned()
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

    fn account() -> Account {
        Account {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
        }
    }

    #[test]
    fn references_complete_to_qualified_arns() {
        let account = account();
        let arn =
            |text: &str, qualifier| FunctionRef::parse(text).unwrap().arn(&account, qualifier);
        assert_eq!(arn("worker", None), "arn:aws:lambda:us-east-1:123456789012:function:worker");
        assert_eq!(
            arn("worker", Some("7")),
            "arn:aws:lambda:us-east-1:123456789012:function:worker:7"
        );
        let foreign = "arn:aws:lambda:eu-west-1:210987654321:function:w:live";
        assert_eq!(arn(foreign, None), foreign);
        assert_eq!(
            arn("210987654321:function:w", None),
            "arn:aws:lambda:us-east-1:210987654321:function:w"
        );
    }

    #[test]
    fn arns_split_and_name_functions_as_users_write_them() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:w:7";
        assert_eq!(
            split_qualifier(arn),
            ("arn:aws:lambda:us-east-1:123456789012:function:w", Some("7"))
        );
        assert_eq!(split_qualifier("arn:aws:lambda:r:a:function:w").1, None);
        let account = account();
        let local = "arn:aws:lambda:us-east-1:123456789012:function:worker";
        assert_eq!(function_name_for(&account, local), "worker");
        let foreign = "arn:aws:lambda:eu-west-1:123456789012:function:worker";
        assert_eq!(function_name_for(&account, foreign), foreign);
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
