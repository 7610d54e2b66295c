"""Promotional codes (being written)."""
