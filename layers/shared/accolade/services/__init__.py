"""Use cases. Each takes its ports as arguments; bootstrap wires the real ones."""
