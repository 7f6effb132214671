//! ARNs, read by one set of rules: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`,
//! the resource being everything after the fifth colon. What a field may
//! hold (a wildcard in a policy's source ARN, say) is for the caller to
//! judge; [`Arn::account`] is the one judgement every caller shares.

/// Where ARNs point: the caller's partition and account, the provider's region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub partition: String,
    pub region: String,
    pub account_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next() != Some("arn") {
            return None;
        }
        let (partition, service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        Some(Arn { partition, service, region, account, resource })
    }

    /// The partition, region and account this ARN names, when it names each
    /// outright: written out, no wildcard. A pattern such as
    /// `arn:aws:execute-api:*:123456789012:api/*` names no account.
    pub fn account(&self) -> Option<Account> {
        let literal = |part: &str| !part.is_empty() && !part.contains(['*', '?']);
        [self.partition, self.region, self.account].into_iter().all(literal).then(|| Account {
            partition: self.partition.to_owned(),
            region: self.region.to_owned(),
            account_id: self.account.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_is_everything_after_the_fifth_colon() {
        let arn = Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:worker:live").unwrap();
        assert_eq!(
            arn,
            Arn {
                partition: "aws",
                service: "lambda",
                region: "us-east-1",
                account: "123456789012",
                resource: "function:worker:live",
            }
        );
        assert_eq!(Arn::parse("arn:aws:iam::123456789012:role/r").unwrap().region, "");
        for not_an_arn in ["", "worker", "arn:aws:lambda:us-east-1", "nra:aws:s3:::b:c"] {
            assert_eq!(Arn::parse(not_an_arn), None, "{not_an_arn}");
        }
    }

    #[test]
    fn an_account_is_named_only_outright() {
        let account = |text: &str| Arn::parse(text).unwrap().account();
        let named = account("arn:aws-cn:execute-api:cn-north-1:123456789012:api1/*").unwrap();
        assert_eq!(
            (named.partition.as_str(), named.region.as_str(), named.account_id.as_str()),
            ("aws-cn", "cn-north-1", "123456789012")
        );
        for pattern in [
            "arn:aws:execute-api:*:123456789012:api1/*",
            "arn:aws:execute-api:us-east-1:*:api1/*",
            "arn:aws:execute-api:us-east-?:123456789012:api1/*",
            "arn:aws:iam::123456789012:role/r",
        ] {
            assert_eq!(account(pattern), None, "{pattern}");
        }
    }
}
