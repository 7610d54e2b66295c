"""Charts drawn on the server: the geometry of an SVG bar chart, from numbers already counted.

The apps count in SQL and hand the figures here; ``templates/sites/_chart.html`` draws the
SVG (no script, no ``style`` attribute: the page's CSP forbids both; SVG presentation
attributes such as ``x`` or ``height`` are not CSS) and the same figures as a real table for
screen readers and for anyone who would rather read. Nothing here depends on colour: every
bar of a *bars* chart carries its own label and number, a *columns* chart draws one series,
and a chart of test payments is hatched (``hatched``) besides saying so in its title.

Two shapes:

``bars(...)``
    horizontal bars, one per category, each labelled directly: its name above it, its
    figure after it (payments by outcome, codes issued vs used …);
``columns(...)``
    vertical columns over time (one per day or week, at most ``COLUMN_MAX_WIDTH`` wide and
    centred in its period), the highest figure written above them, the first and last
    periods under their columns.
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
LABEL_LINE = 20  # above a horizontal bar: its name, on a line of its own
# A generous average width of one character of .chart-text (14 units): room kept right of the
# longest bar for the longest figure, and the length names are cut to, so that no text runs
# out of the drawing (French names and session titles are long).
CHAR_WIDTH = 8.5
COLUMNS_HEIGHT = 180
COLUMNS_TOP = 24  # above it (a dashed line in _chart.html): the highest figure, on its own line
AXIS = 84  # left of the columns: the scale; under them: the first and last periods
COLUMN_MAX_WIDTH = 40  # a few periods draw columns, not blocks filling the chart
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
    text_x: float  # where its figure goes (bars), or its centre (columns)
    text_y: float
    label_y: float = 0.0  # bars: the baseline of its name, above it


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
        """Columns: where the scale's figures end."""
        return AXIS - 6

    @property
    def label_chars(self) -> int:
        """Bars: the most characters of a name drawn (the table holds it whole)."""
        return int(self.width / CHAR_WIDTH)

    @property
    def empty(self) -> bool:
        return not any(point.value for point in self.points)

    @property
    def axis_first_x(self) -> float:
        """Columns: where the first period's name starts (under its column's left edge)."""
        return self.shapes[0].x if self.shapes else self.label_x

    @property
    def axis_last_x(self) -> float:
        """Columns: where the last period's name ends (under its column's right edge)."""
        return self.shapes[-1].x + self.shapes[-1].width if self.shapes else self.width

    @property
    def drawn(self) -> SafeString:
        """The SVG elements of the shapes (``_chart.html`` draws the frame and the axis labels
        around them).

        Built here by string formatting rather than by a template loop: a year of weekly
        columns is hundreds of elements, each with four coordinates, and the template's
        per-element lookups and filters cost more than the rest of a report page. Coordinates
        are written with one decimal and a dot, whatever the reader's language; each shape's
        tooltip ends its label with the colon of the reader's language.
        """
        if self.hatched:
            fill = format_html('class="chart-bar-hatched" fill="url(#hatch-{})"', self.key)
        else:
            fill = mark_safe('class="chart-bar"')  # noqa: S308 (a constant)
        colon = _(":")

        def rect(s: Shape) -> SafeString:
            return format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" {}><title>{}{} {}</title></rect>',
                f"{s.x:.1f}",
                f"{s.y:.1f}",
                f"{s.width:.1f}",
                f"{s.height:.1f}",
                fill,
                s.point.label,
                colon,
                s.point.shown,
            )

        if self.kind == "columns":
            return mark_safe("".join(rect(s) for s in self.shapes))  # noqa: S308 (format_html's)
        return mark_safe(  # noqa: S308 (every part is format_html's)
            "\n".join(
                format_html(
                    '<text x="0" y="{}" class="chart-text">{}</text>\n{}\n'
                    '<text x="{}" y="{}" class="chart-text">{}</text>',
                    f"{s.label_y:.1f}",
                    Truncator(s.point.label).chars(self.label_chars),
                    rect(s),
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
    """Horizontal bars, one per point, in the order given: each bar's name above it, its
    figure right of it (the longest bar leaves room for the longest figure)."""
    points = tuple(points)
    longest = max((len(point.shown) for point in points), default=0)
    room = BARS_WIDTH - min(longest * CHAR_WIDTH + 6, BARS_WIDTH / 2)
    top = _scale(points)
    row = LABEL_LINE + BAR_HEIGHT + BAR_GAP
    shapes = []
    for i, point in enumerate(points):
        y = BAR_GAP + LABEL_LINE + i * row
        length = room * float(point.value) / top
        if point.value and length < 2:
            length = 2.0  # a non-zero figure stays visible
        shapes.append(Shape(point, 0, y, length, BAR_HEIGHT, length + 6, y + 16, y - 6))
    height = BAR_GAP + len(points) * row
    return Chart(
        key,
        title,
        "bars",
        label_header,
        value_header,
        points,
        tuple(shapes),
        max(height, row + BAR_GAP),
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
    width = min(step - min(4.0, step / 4), COLUMN_MAX_WIDTH)
    shapes = []
    for i, point in enumerate(points):
        height = (COLUMNS_HEIGHT - COLUMNS_TOP) * float(point.value) / top
        if point.value and height < 2:
            height = 2.0
        x = AXIS + i * step + (step - width) / 2  # centred in its period's slot
        y = COLUMNS_HEIGHT - height
        shapes.append(Shape(point, x, y, width, height, x + width / 2, y - 2))
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
        # One period: its name once, under its column.
        axis_last=points[-1].label if len(points) > 1 else "",
    )
