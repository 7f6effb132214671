# Import a route that async_lambda_route made, by API_ID/ROUTE_ID.
terraform import async_lambda_route.github a1b2c3d4e5/f6g7h8i
