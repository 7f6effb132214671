//! Where Lambda puts an asynchronous event that failed: after two retries
//! and at most six hours it is dropped, unless the function (at the
//! qualifier invoked) has an on-failure destination or a dead-letter queue
//! (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
//! An endpoint has answered its client 202 by then, so nothing else tells.

/// What keeps a function's failed asynchronous events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureHandling {
    /// An on-failure destination (`aws_lambda_function_event_invoke_config`).
    Destination(String),
    /// A dead-letter queue or topic (`dead_letter_config`).
    DeadLetterQueue(String),
    /// Neither: a failed event is lost.
    Dropped,
}

/// What the run found for one function and qualifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    Found(FailureHandling),
    /// The function does not exist (yet: the same apply may make it).
    NoFunction,
    /// Lambda did not say (e.g. no `lambda:GetFunctionEventInvokeConfig`).
    Unknown(String),
}
