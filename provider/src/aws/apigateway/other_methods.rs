//! The other methods of a REST API that may invoke a function through a
//! shared statement, asked again where other configurations may have
//! changed them (see [`crate::aws::lambda::StatementUsers`]).

use super::MethodId;
use super::rest_api::{Known, RestApi};
use super::{reads, remote};
use crate::aws::error::AwsError;
use crate::aws::lambda::{Permission, StatementUsers};
use crate::aws::run::Run;
use crate::plugin::Guarded;

/// The methods of `releasing`'s REST API, other than it, that invoke
/// `function_arn` through `permission`.
pub struct OtherMethods<'a> {
    pub run: Run<'a>,
    /// The run's copy of the REST API.
    pub api: &'a Guarded<RestApi>,
    pub releasing: &'a MethodId,
    pub function_arn: &'a str,
    pub permission: &'a Permission,
}

impl OtherMethods<'_> {
    fn users(&self, api: &RestApi) -> Vec<(MethodId, Known)> {
        api.users(self.function_arn, self.permission, self.releasing)
    }
}

impl StatementUsers for OtherMethods<'_> {
    /// A method the run wrote answers at once; one it only read, when
    /// `confirmed`, is asked for again (GetMethod), one at a time, until one
    /// still invokes through the statement. Another configuration's destroy
    /// may have deleted them all since the run's read; its own release,
    /// asking after it, finds this run's methods gone in turn.
    async fn still_use(&self, confirmed: bool) -> Result<bool, AwsError> {
        loop {
            let first = self.users(&self.api.lock()).into_iter().next();
            let method = match first {
                None => return Ok(false),
                Some((_, Known::Current)) => return Ok(true),
                Some((_, Known::AsRead)) if !confirmed => return Ok(true),
                Some((method, Known::AsRead)) => method,
            };
            let answer = remote::get_method(self.run, &method).await?;
            let mut api = self.api.lock();
            api.reread(&method, answer);
            if self.users(&api).iter().any(|(user, _)| *user == method) {
                return Ok(true);
            }
        }
    }

    /// A read of the whole REST API (GetResources): a method wired by
    /// another configuration is not in the run's copy. The copy is left as
    /// it is: this run's writes since the read began are not in the read.
    async fn wired_since(&self) -> Result<bool, AwsError> {
        let now = reads::rest_api_now(self.run, self.api, &self.releasing.rest_api_id).await?;
        Ok(!self.users(&now).is_empty())
    }
}
