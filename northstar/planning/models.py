"""Models of the roadmap area (being built)."""
