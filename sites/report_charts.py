"""When a report draws its charts: inline for a small filtered set, on request above it.

A report's charts cost SQL aggregates over every filtered row (0.4–0.8 s at a million codes
or 100,000 payments), whatever the page shows. So a report draws them inline only when its
filtered set holds at most ``settings.REPORT_CHARTS_INLINE_MAX_ROWS`` rows, a number it
already knows (the promo report's bounded count, the transactions report's totals: never a
count of its own); above it, the page says so and links to the same report with ``charts=1``,
which draws them.

``charts_wanted(params, rows, more)``
    whether to draw: asked for (``charts=1``), or at most the limit;
``deferred_charts(querystring)``
    the context of ``templates/sites/_charts_deferred.html``, the line shown instead.
"""

from __future__ import annotations

from django.conf import settings

from . import inputs

CHARTS_PARAM = "charts"


def inline_max_rows() -> int:
    """The most filtered rows whose charts a report draws without being asked."""
    return settings.REPORT_CHARTS_INLINE_MAX_ROWS


def charts_wanted(params, rows: int, more: bool = False) -> bool:
    """True when the reader asked for the charts (``charts=1`` in ``params``, a QueryDict), or
    when the filtered set holds at most ``inline_max_rows()`` rows: ``rows`` counted, ``more``
    when the count stopped at its bound (the set holds more than ``rows``)."""
    if inputs.parse_flag(params.get(CHARTS_PARAM)):
        return True
    return not more and rows <= inline_max_rows()


def deferred_charts(querystring: str) -> dict:
    """``{"limit", "query"}``: the limit to name and the report's own parameters (the filter
    form's ``querystring()``) with ``charts=1`` added, for the *Show charts* link."""
    flag = f"{CHARTS_PARAM}=1"
    return {
        "limit": inline_max_rows(),
        "query": f"{querystring}&{flag}" if querystring else flag,
    }
