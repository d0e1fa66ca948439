"""Models of the strategy area (being built)."""
