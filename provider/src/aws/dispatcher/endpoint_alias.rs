//! What a REST endpoint tells the dispatcher. A REST API's Lambda proxy
//! integration cannot add to the event it sends (AWS ignores integration
//! request parameters on `AWS_PROXY`), so the endpoint's integration invokes
//! an alias of the dispatcher whose name says the target and the status to
//! answer: `to-{status}-{length of name}-{name}[-{qualifier}]`, e.g.
//! `to-202-6-worker-live`. The dispatcher reads it from its invoked ARN: no
//! lookup at request time, and endpoints alike share one alias. The same
//! contract is written in `provider/dispatcher/dispatcher.py`.

use crate::aws::arn::Account;
use crate::aws::lambda::FunctionRef;

const PREFIX: &str = "to-";
/// Lambda's limit on an alias name.
const MAX_ALIAS: usize = 128;

/// A REST endpoint's dispatch: the target, in the dispatcher's own account
/// and region, and the status it answers once Lambda has queued the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointAlias {
    pub function_name: String,
    pub qualifier: Option<String>,
    pub status: u16,
}

impl EndpointAlias {
    /// The alias name; `None` when Lambda would refuse it (longer than 128).
    pub fn name(&self) -> Option<String> {
        let Self { function_name, qualifier, status } = self;
        let mut name = format!("{PREFIX}{status}-{}-{function_name}", function_name.len());
        if let Some(qualifier) = qualifier {
            name.push('-');
            name.push_str(qualifier);
        }
        (name.len() <= MAX_ALIAS).then_some(name)
    }

    /// The dispatch an alias name says; `None` when it is no such name.
    pub fn parse(alias: &str) -> Option<EndpointAlias> {
        let rest = alias.strip_prefix(PREFIX)?;
        let (status, rest) = rest.split_once('-')?;
        let (length, rest) = rest.split_once('-')?;
        let status: u16 = digits(status).filter(|s| s.len() == 3)?.parse().ok()?;
        let length: usize =
            digits(length).filter(|l| !l.starts_with('0'))?.parse().ok().filter(|l| *l <= 64)?;
        let function_name = rest.get(..length)?;
        let qualifier = match &rest[length..] {
            "" => None,
            tail => Some(tail.strip_prefix('-').filter(|q| !q.is_empty())?),
        };
        let named =
            |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let valid =
            (200..=599).contains(&status) && named(function_name) && qualifier.is_none_or(named);
        valid.then(|| EndpointAlias {
            function_name: function_name.to_owned(),
            qualifier: qualifier.map(str::to_owned),
            status,
        })
    }

    /// The target's unqualified ARN, in `account`'s partition, region and
    /// account.
    pub fn function_arn(&self, account: &Account) -> String {
        FunctionRef::lenient(&self.function_name).arn(account, None)
    }

    /// The target's ARN with its qualifier, if any.
    pub fn target_arn(&self, account: &Account) -> String {
        FunctionRef::lenient(&self.function_name).arn(account, self.qualifier.as_deref())
    }
}

fn digits(text: &str) -> Option<&str> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then_some(text)
}

/// The ARN of the dispatcher's alias `alias` in `account`.
pub fn alias_arn(account: &Account, alias: &str) -> String {
    FunctionRef::lenient(super::FUNCTION_NAME).arn(account, Some(alias))
}

/// The function an integration invoking `invoked` reaches: through the
/// dispatcher, the one its alias names; else `invoked` itself.
pub fn target_of(invoked: &str) -> String {
    of_arn(invoked).map_or_else(|| invoked.to_owned(), |(alias, at)| alias.target_arn(&at))
}

/// The dispatch a qualified ARN of the dispatcher says, with the account it
/// is in; `None` for any other ARN.
pub fn of_arn(arn: &str) -> Option<(EndpointAlias, Account)> {
    let parsed = crate::aws::arn::Arn::parse(arn)?;
    let (function, alias) = parsed.resource.strip_prefix("function:")?.split_once(':')?;
    if parsed.service != "lambda" || function != super::FUNCTION_NAME {
        return None;
    }
    Some((EndpointAlias::parse(alias)?, parsed.account()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str, qualifier: Option<&str>, status: u16) -> EndpointAlias {
        EndpointAlias {
            function_name: name.into(),
            qualifier: qualifier.map(str::to_owned),
            status,
        }
    }

    #[test]
    fn names_round_trip() {
        for dispatch in [
            alias("worker", None, 202),
            alias("worker", Some("live"), 202),
            alias("my-fn_2", Some("7"), 200),
            alias("a-6-b", Some("x-y_z"), 299),
            alias(&"f".repeat(64), Some(&"q".repeat(53)), 202),
        ] {
            let name = dispatch.name().unwrap();
            assert!(name.len() <= 128, "{name}");
            assert_eq!(EndpointAlias::parse(&name), Some(dispatch), "{name}");
        }
        assert_eq!(alias("worker", Some("live"), 202).name().unwrap(), "to-202-6-worker-live");
        assert_eq!(alias(&"f".repeat(64), Some(&"q".repeat(54)), 202).name(), None);
    }

    #[test]
    fn other_names_are_not_dispatches() {
        for name in [
            "live",
            "to-202-6-worke",
            "to-202-6-worker-",
            "to-202-6-workerlive",
            "to-20-6-worker",
            "to-199-6-worker",
            "to-600-6-worker",
            "to-202-06-worker",
            "to-202-0-",
            "to-202-65-".to_owned().as_str(),
            "to-202-6-wo.ker",
            "to-202-x-worker",
        ] {
            assert_eq!(EndpointAlias::parse(name), None, "{name}");
        }
    }

    #[test]
    fn the_target_is_in_the_dispatchers_account() {
        let account = Account {
            partition: "aws-cn".into(),
            region: "cn-north-1".into(),
            account_id: "123456789012".into(),
        };
        let dispatch = alias("worker", Some("live"), 202);
        let arn = alias_arn(&account, &dispatch.name().unwrap());
        assert_eq!(
            arn,
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:tf-async-dispatcher:to-202-6-worker-live"
        );
        let (read, at) = of_arn(&arn).unwrap();
        assert_eq!(read, dispatch);
        assert_eq!(
            read.target_arn(&at),
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:worker:live"
        );
        assert_eq!(target_of(&arn), read.target_arn(&at), "an integration through the dispatcher");
        let direct = "arn:aws:lambda:us-east-1:123456789012:function:worker";
        assert_eq!(target_of(direct), direct, "an integration invoking the function itself");
        assert_eq!(
            of_arn("arn:aws:lambda:us-east-1:123456789012:function:worker:to-202-1-a"),
            None
        );
        assert_eq!(
            of_arn("arn:aws:lambda:us-east-1:123456789012:function:tf-async-dispatcher"),
            None
        );
    }
}
