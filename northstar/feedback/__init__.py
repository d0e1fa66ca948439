"""Customers, feedback from every source, themes, demand on ideas, and the public portal."""
