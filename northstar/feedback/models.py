"""Models of the feedback area (being built)."""
