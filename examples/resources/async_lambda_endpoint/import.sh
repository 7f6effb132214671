# Import an endpoint by REST_API_ID/RESOURCE_ID/HTTP_METHOD.
terraform import async_lambda_endpoint.slack a1b2c3d4e5/f6g7h8/POST
