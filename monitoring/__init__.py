"""The operator's view: health probes, Prometheus metrics, request ids and safe logs.

Sits above ``sites``, ``payments`` and ``promocodes`` (its metrics read their models); none of
them imports it.
"""
