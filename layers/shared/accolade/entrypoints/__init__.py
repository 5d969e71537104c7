"""Entrypoints: Lambda's stream batches, schedules and HTTP requests turned into service calls.

The outermost layer of the package: it may import the bootstrap, adapters and services; nothing
below imports it. The handlers under ``functions/`` are one call into here.
"""
