"""Forms of the payments app, one module per page group, mirroring ``views/``: ``settings``
(the E-Commerce settings pages), ``providers``, ``sessions``, ``transactions`` and ``pay``
(the public payment page)."""
