"""Actual spend, currencies and rates, budget against actuals, business cases."""
