"""Adapters at the edge: DynamoDB, SNS. Nothing outside this package imports boto3 or pynamodb."""
