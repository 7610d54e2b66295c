"""Charts drawn on the server: the geometry of an SVG bar chart, from numbers already counted.

The apps count in SQL and hand the figures here; ``templates/sites/_chart.html`` draws the
SVG (no script, no ``style`` attribute: the page's CSP forbids both; SVG presentation
attributes such as ``x`` or ``height`` are not CSS) and the same figures as a real table for
screen readers and for anyone who would rather read. Nothing here depends on colour: every
bar of a *bars* chart carries its own label and number, a *columns* chart draws one series,
and a chart of test payments is hatched (``hatched``) besides saying so in its title.

Two shapes:

``bars(...)``
    horizontal bars, one per category, each labelled directly with its name and figure
    (payments by outcome, codes issued vs used …);
``columns(...)``
    vertical columns over time (one per day or week), the highest figure written on its
    axis, the first and last periods under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

# The viewBox: the SVG scales to its card, its text with it (narrow enough that a third of
# the page still reads at about 10 px).
BARS_WIDTH = 420
COLUMNS_WIDTH = 520
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 160  # left of a horizontal bar: its name
FIGURE_WIDTH = 110  # right of it: its figure
COLUMNS_HEIGHT = 180
AXIS = 84  # left of the columns: the scale; under them: the first and last periods
LATEST = 60  # the most periods a columns chart draws


@dataclass(frozen=True)
class Point:
    """One figure: its category or period, its value, and the value as the reader reads it."""

    label: str
    value: Decimal | int
    shown: str


@dataclass(frozen=True)
class Shape:
    """A bar or column, positioned in the viewBox."""

    point: Point
    x: float
    y: float
    width: float
    height: float
    text_x: float  # where its label goes (bars), or its centre (columns)
    text_y: float


@dataclass(frozen=True)
class Chart:
    key: str  # unique in the page: the SVG's ids derive from it
    title: str
    kind: str  # "bars" or "columns"
    label_header: str  # the table's first column
    value_header: str  # the table's second column
    points: tuple[Point, ...]  # every figure (the table); the shapes may draw the latest only
    shapes: tuple[Shape, ...]
    height: float
    hatched: bool = False
    note: str = ""  # under the chart, e.g. "the latest 60 weeks are drawn"
    axis_top: str = ""  # columns: the highest figure
    axis_first: str = ""  # columns: the first period drawn
    axis_last: str = ""  # columns: the last period drawn

    @property
    def width(self) -> int:
        return BARS_WIDTH if self.kind == "bars" else COLUMNS_WIDTH

    @property
    def label_x(self) -> int:
        """Where the names of the bars end, and the scale of the columns."""
        return (LABEL_WIDTH if self.kind == "bars" else AXIS) - 6

    @property
    def empty(self) -> bool:
        return not any(point.value for point in self.points)

    @property
    def drawn(self) -> SafeString:
        """The SVG elements of the shapes (``_chart.html`` draws the frame around them).

        Built here by string formatting rather than by a template loop: a year of weekly
        columns is hundreds of elements, each with four coordinates, and the template's
        per-element lookups and filters cost more than the rest of a report page. Coordinates
        are written with one decimal and a dot, whatever the reader's language.
        """
        if self.hatched:
            fill = format_html('class="chart-bar-hatched" fill="url(#hatch-{})"', self.key)
        else:
            fill = mark_safe('class="chart-bar"')  # noqa: S308 (a constant)
        if self.kind == "columns":
            return mark_safe(  # noqa: S308 (every part is format_html's)
                "".join(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" {}><title>{}: {}</title>'
                        "</rect>",
                        f"{s.x:.1f}",
                        f"{s.y:.1f}",
                        f"{s.width:.1f}",
                        f"{s.height:.1f}",
                        fill,
                        s.point.label,
                        s.point.shown,
                    )
                    for s in self.shapes
                )
            )
        return mark_safe(  # noqa: S308 (every part is format_html's)
            "\n".join(
                format_html(
                    '<text x="{}" y="{}" text-anchor="end" class="chart-text">{}</text>\n'
                    '<rect x="{}" y="{}" width="{}" height="{}" {}/>\n'
                    '<text x="{}" y="{}" class="chart-text">{}</text>',
                    self.label_x,
                    f"{s.text_y:.1f}",
                    Truncator(s.point.label).chars(26),
                    f"{s.x:.1f}",
                    f"{s.y:.1f}",
                    f"{s.width:.1f}",
                    f"{s.height:.1f}",
                    fill,
                    f"{s.text_x:.1f}",
                    f"{s.text_y:.1f}",
                    s.point.shown,
                )
                for s in self.shapes
            )
        )


def periods(first: date, last: date, *, weekly: bool) -> list[date]:
    """Every day (or every 7th day) from ``first`` to ``last``: the periods of a columns
    chart, the empty ones included."""
    step = timedelta(days=7 if weekly else 1)
    days, day = [], first
    while day <= last:
        days.append(day)
        day += step
    return days


def _scale(points: tuple[Point, ...]) -> float:
    top = max((float(point.value) for point in points), default=0.0)
    return top if top > 0 else 1.0


def bars(
    key: str,
    title: str,
    points: list[Point],
    *,
    label_header: str,
    value_header: str,
    hatched: bool = False,
) -> Chart:
    """Horizontal bars, one per point, in the order given, each labelled with name and
    figure."""
    points = tuple(points)
    room = BARS_WIDTH - LABEL_WIDTH - FIGURE_WIDTH
    top = _scale(points)
    shapes = []
    for i, point in enumerate(points):
        y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
        length = room * float(point.value) / top
        if point.value and length < 2:
            length = 2.0  # a non-zero figure stays visible
        shapes.append(
            Shape(point, LABEL_WIDTH, y, length, BAR_HEIGHT, LABEL_WIDTH + length + 6, y + 16)
        )
    height = BAR_GAP + len(points) * (BAR_HEIGHT + BAR_GAP)
    return Chart(
        key,
        title,
        "bars",
        label_header,
        value_header,
        points,
        tuple(shapes),
        max(height, BAR_HEIGHT + 2 * BAR_GAP),
        hatched,
    )


def columns(
    key: str,
    title: str,
    points: list[Point],
    *,
    label_header: str,
    value_header: str,
    hatched: bool = False,
) -> Chart:
    """Vertical columns in time order: the latest ``LATEST`` periods are drawn (a note says
    so), the table holds every one."""
    everything = tuple(points)
    points = everything[-LATEST:]
    note = ""
    if len(everything) > LATEST:
        note = _("The latest %(n)d periods are drawn; the figures below hold them all.") % {
            "n": LATEST
        }
    top = _scale(points)
    room = COLUMNS_WIDTH - AXIS
    step = room / max(len(points), 1)
    gap = min(4.0, step / 4)
    shapes = []
    for i, point in enumerate(points):
        height = (COLUMNS_HEIGHT - 10) * float(point.value) / top
        if point.value and height < 2:
            height = 2.0
        x = AXIS + i * step + gap / 2
        y = COLUMNS_HEIGHT - height
        shapes.append(Shape(point, x, y, step - gap, height, x + (step - gap) / 2, y - 2))
    top_point = max(points, key=lambda p: p.value) if points else None
    return Chart(
        key,
        title,
        "columns",
        label_header,
        value_header,
        everything,
        tuple(shapes),
        COLUMNS_HEIGHT + 28,
        hatched,
        note,
        axis_top=top_point.shown if top_point else "",
        axis_first=points[0].label if points else "",
        axis_last=points[-1].label if points else "",
    )
