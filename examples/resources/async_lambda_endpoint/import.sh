# Import an endpoint by REST_API_ID/RESOURCE_ID/HTTP_METHOD. function_name is
# imported as the function's name when it is in the provider's account and
# region, else as its ARN.
terraform import async_lambda_endpoint.slack a1b2c3d4e5/f6g7h8/POST
