import {
  to = async_lambda_route.github
  identity = {
    api_id   = "a1b2c3d4e5"
    route_id = "f6g7h8i"
  }
}
