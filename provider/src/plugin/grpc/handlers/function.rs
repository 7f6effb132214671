//! Provider functions: their signatures, and calls. A failed call answers
//! with a function error naming the argument at fault, which Terraform
//! shows at that argument in the configuration.

use tracing::instrument;

use super::Handlers;
use crate::plugin::function::{Function, FunctionError};
use crate::plugin::grpc::values;
use crate::plugin::proto::tfplugin5 as pb;
use crate::plugin::resource::Context;

impl Handlers {
    #[instrument(skip_all)]
    pub async fn functions(
        &self,
        _: pb::get_functions::Request,
        _: Context,
    ) -> pb::get_functions::Response {
        pb::get_functions::Response {
            functions: self.schema_response.functions.clone(),
            diagnostics: Vec::new(),
        }
    }

    #[instrument(skip_all, fields(name = %request.name))]
    pub async fn call_function(
        &self,
        request: pb::call_function::Request,
        _: Context,
    ) -> pb::call_function::Response {
        let called = self
            .functions
            .get(request.name.as_str())
            .ok_or_else(|| FunctionError {
                text: format!("This provider has no function {:?}.", request.name),
                argument: None,
            })
            .and_then(|function| call(function.as_ref(), &request.arguments));
        match called {
            Ok(result) => pb::call_function::Response { result: Some(result), error: None },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: e.text,
                    function_argument: e.argument.map(|i| i as i64),
                }),
            },
        }
    }
}

/// Decodes each argument with its parameter's type, calls, encodes.
fn call(
    function: &dyn Function,
    arguments: &[pb::DynamicValue],
) -> Result<pb::DynamicValue, FunctionError> {
    let signature = function.signature();
    if arguments.len() != signature.parameters.len() {
        return Err(FunctionError {
            text: format!(
                "{} takes {} arguments, not {}.",
                function.name(),
                signature.parameters.len(),
                arguments.len()
            ),
            argument: None,
        });
    }
    let decoded = signature
        .parameters
        .iter()
        .zip(arguments)
        .enumerate()
        .map(|(i, (parameter, argument))| {
            values::decode(Some(argument), &parameter.ty, &parameter.name)
                .map_err(|diags| FunctionError::at(i, describe(&diags)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let result = function.call(decoded)?;
    let mut diags = Vec::new();
    values::encode(&result, &signature.return_type, "result", &mut diags)
        .ok_or_else(|| FunctionError { text: describe(&diags), argument: None })
}

fn describe(diags: &crate::plugin::diagnostics::Diagnostics) -> String {
    diags.iter().map(|d| format!("{}: {}", d.summary, d.detail)).collect::<Vec<_>>().join("\n")
}
