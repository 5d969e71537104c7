"""Accolade's local stack: template.yaml run on one machine, no Docker, no AWS account."""
