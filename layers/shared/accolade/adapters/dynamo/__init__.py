"""The single-table DynamoDB adapter."""
