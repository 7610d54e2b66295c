"""A faithful stand-in for PayPal's test endpoints (Payflow NVP and REST), served over HTTP.

This package imports nothing of the product (not even ``payments.gateways``), so a bug
shared by a client and the simulator cannot hide on both sides of the wire.
"""
