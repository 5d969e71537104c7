"""What the stand-in projects of test_cli and test_gateway share in their template.yaml."""

from __future__ import annotations


def start(timeout: int, variable: str) -> str:
    """The transform and the functions' globals: a timeout and one environment variable
    (``NAME: value``); `Resources:` follows."""
    return f"""
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    Handler: app.lambda_handler
    Timeout: {timeout}
    Environment:
      Variables:
        {variable}
"""


def http_api(function_id: str, code_uri: str) -> str:
    """Resources: an HTTP API behind a JWT authorizer, and `function_id` answering a public
    GET /v1/health and, behind the authorizer, ANY /v1/{proxy+}; the function's further events
    may follow, at the same indentation."""
    return f"""
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: https://issuer.example
              audience: [client]
  {function_id}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code_uri}
      Events:
        Health:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: GET
            Path: /v1/health
            Auth:
              Authorizer: NONE
        Proxy:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: ANY
            Path: /v1/{{proxy+}}"""
