"""The HTTP API: Powertools event handler routes (an adapter at the edge)."""
