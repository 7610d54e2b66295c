"""Clients that speak PayPal's wire protocols from plain values (no product models)."""
