"""Capacity and budget, scenarios, optimised plans, published roadmaps and what changed."""
