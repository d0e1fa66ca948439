"""Northstar: the self-hosted operating system for a product organisation and its leader."""

__version__ = "0.1.0"
