"""Guidance assistant for child-safeguarding practitioners working with domestic abuse."""

__version__ = "0.1.0"
