"""`make bench`: throughput and DynamoDB requests per event, cold start, API latency."""
