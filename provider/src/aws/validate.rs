//! Plan-time checks shared by the provider configuration and the resources.
//! Each returns a diagnostic naming the attribute, and passes unknown values:
//! they are checked again once Terraform knows them.

use crate::aws::lambda::{FunctionRef, is_qualifier};
use crate::plugin::{AttributePath, Diagnostic, Diagnostics, Value};

/// The attributes that name a Lambda function to invoke, spelled alike by
/// every resource that has them.
pub const FUNCTION_NAME: &str = "function_name";
pub const QUALIFIER: &str = "qualifier";

/// Collects diagnostics for one configuration object.
pub struct Checker<'a> {
    config: &'a Value,
    pub diagnostics: Diagnostics,
}

impl<'a> Checker<'a> {
    pub fn new(config: &'a Value) -> Self {
        Checker { config, diagnostics: Vec::new() }
    }

    /// The known string value of `name`, if it is set.
    pub fn string(&self, name: &str) -> Option<&'a str> {
        self.config.get(name).as_str()
    }

    pub fn error(&mut self, path: AttributePath, summary: &str, detail: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(summary, detail).at(path));
    }

    pub fn warning(&mut self, path: AttributePath, summary: &str, detail: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(summary, detail).at(path));
    }

    /// Checks a string attribute with `check`, which returns the problem.
    pub fn check_string(&mut self, name: &str, check: impl Fn(&str) -> Result<(), String>) {
        if let Some(value) = self.string(name)
            && let Err(detail) = check(value)
        {
            self.error(AttributePath::root(name), &format!("Invalid {name}"), detail);
        }
    }

    /// Checks that a string attribute is one of `allowed`.
    pub fn check_one_of(&mut self, name: &str, allowed: &[&str]) {
        self.check_string(name, |v| one_of(v, allowed));
    }

    /// Checks an integer attribute lies in `min..=max`.
    pub fn check_range(&mut self, name: &str, min: i64, max: i64) {
        let value = self.config.get(name);
        if !value.is_present() {
            return;
        }
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => {}
            _ => self.error(
                AttributePath::root(name),
                &format!("Invalid {name}"),
                format!("Must be a whole number from {min} to {max}."),
            ),
        }
    }
}

pub fn one_of(value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!("{value:?} is not one of: {}.", allowed.join(", ")))
    }
}

/// `http://` or `https://` followed by a host.
pub fn endpoint_url(value: &str) -> Result<(), String> {
    let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ => Err(format!(
            "{value:?} is not an endpoint URL: expected http:// or https:// followed by a host, \
             e.g. http://127.0.0.1:4566."
        )),
    }
}

/// API Gateway ids (REST APIs, resources, authorizers) are letters and digits.
pub fn is_api_id(value: &str) -> bool {
    !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// AWS region names such as `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
pub fn region(value: &str) -> Result<(), String> {
    let parts: Vec<&str> = value.split('-').collect();
    let shape_ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && parts[..parts.len() - 1].iter().all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    if shape_ok {
        Ok(())
    } else {
        Err(format!("{value:?} is not an AWS region name such as \"us-east-1\"."))
    }
}

/// `function_name` and `qualifier`: a reference Lambda accepts, and the
/// qualifier given in one place only.
pub fn check_function_target(check: &mut Checker<'_>) {
    check.check_string(FUNCTION_NAME, |v| FunctionRef::parse(v).map(drop));
    check.check_string(QUALIFIER, is_qualifier);
    let in_name = check
        .string(FUNCTION_NAME)
        .and_then(|f| FunctionRef::parse(f).ok())
        .and_then(|f| f.qualifier);
    if in_name.is_some() && check.string(QUALIFIER).is_some() {
        check.error(
            AttributePath::root(QUALIFIER),
            "Conflicting qualifiers",
            "function_name already ends with a qualifier; remove it there or leave qualifier unset.",
        );
    }
}

/// The function must be in the provider's region: API Gateway invokes it
/// through that region's Lambda, and the permission is added there. Checked
/// at plan, once the provider's region is known.
pub fn check_function_region(config: &Value, region: &str) -> Diagnostics {
    let mut check = Checker::new(config);
    let function_region =
        check.string(FUNCTION_NAME).and_then(|f| FunctionRef::parse(f).ok()).and_then(|f| f.region);
    if let Some(function_region) = function_region.filter(|r| r != region) {
        check.error(
            AttributePath::root(FUNCTION_NAME),
            "Function in another region",
            format!(
                "The function is in {function_region} but this provider manages {region}. Use a \
                 function in {region}, or a provider configuration with region = \
                 \"{function_region}\" (provider = async.ALIAS) if the API is there too."
            ),
        );
    }
    check.diagnostics
}

/// An IAM role ARN, `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
pub fn role_arn(value: &str) -> Result<(), String> {
    let named = crate::aws::arn::Arn::parse(value).filter(|arn| {
        arn.partition.starts_with("aws")
            && arn.service == "iam"
            && arn.region.is_empty()
            && is_account_id(arn.account)
            && arn.resource.strip_prefix("role/").is_some_and(|name| !name.is_empty())
    });
    match named {
        Some(_) => Ok(()),
        None => Err(format!(
            "{value:?} is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/NAME\"."
        )),
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for ok in ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-4"] {
            assert_eq!(region(ok), Ok(()), "{ok}");
        }
        for bad in ["", "us-east", "US-EAST-1", "useast1", "us-east-1a", "us--1"] {
            assert!(region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_function_must_be_in_the_providers_region() {
        let config = |name: &str| Value::object([(FUNCTION_NAME, Value::from(name))]);
        let elsewhere = config("arn:aws:lambda:eu-west-1:123456789012:function:f");
        let paths: Vec<_> = check_function_region(&elsewhere, "us-east-1")
            .into_iter()
            .map(|d| d.attribute.unwrap().to_string())
            .collect();
        assert_eq!(paths, [FUNCTION_NAME]);
        let here = config("arn:aws:lambda:us-east-1:123456789012:function:f");
        assert!(check_function_region(&here, "us-east-1").is_empty());
        assert!(check_function_region(&config("f"), "us-east-1").is_empty(), "a name is local");
    }

    #[test]
    fn role_arns() {
        for ok in ["arn:aws:iam::123456789012:role/d", "arn:aws-cn:iam::123456789012:role/p/d"] {
            assert_eq!(role_arn(ok), Ok(()), "{ok}");
        }
        let bad = [
            "d",
            "arn:aws:iam::123456789012:user/d",
            "arn:aws:iam:us-east-1:123456789012:role/d",
            "arn:aws:iam::1234:role/d",
            "arn:aws:iam::123456789012:role/",
        ];
        for bad in bad {
            assert!(role_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoint_urls() {
        assert_eq!(endpoint_url("http://127.0.0.1:4566"), Ok(()));
        assert_eq!(endpoint_url("https://apigateway.us-east-1.amazonaws.com"), Ok(()));
        for bad in ["127.0.0.1:4566", "http://", "ftp://x", "https:///path"] {
            assert!(endpoint_url(bad).is_err(), "{bad}");
        }
    }
}
