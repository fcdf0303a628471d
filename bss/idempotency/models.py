"""Models of this building block."""
