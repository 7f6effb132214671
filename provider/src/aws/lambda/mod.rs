//! What any resource needs of Lambda: function references, whether a
//! function exists, and the permission statements that let API Gateway
//! invoke it, shared by the objects of one API.

pub mod cache;
mod failure_handling;
mod function_ref;
mod policy;
mod reads;
mod remote;
mod statements;

pub use failure_handling::{Checked, FailureHandling};
pub use function_ref::{FunctionRef, function_name_for, is_qualifier, split_qualifier};
pub use policy::Permission;
pub use reads::{failure_handling, forget_policy, function_exists, statements};
pub use statements::{NoOtherUsers, Sharers, StatementUsers, grant, release};
