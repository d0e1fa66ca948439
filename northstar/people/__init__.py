"""Career framework, review cycles, growth plans, 1:1s and hiring."""
