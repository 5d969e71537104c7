"""Accolade: the shared layer (domain, services, ports, adapters) used by every function."""
