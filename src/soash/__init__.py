"""Soash: self-hostable social media analytics and content assistant."""

__version__ = "0.1.0"
