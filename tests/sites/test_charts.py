"""The geometry of the server-side columns chart: a few periods draw columns, not blocks."""

from decimal import Decimal

from sites import charts


def points(n: int) -> list[charts.Point]:
    return [charts.Point(f"0{i + 1}/11/2026", Decimal(i + 1), str(i + 1)) for i in range(n)]


def chart(n: int) -> charts.Chart:
    return charts.columns("uses", "Uses", points(n), label_header="Week", value_header="Uses")


def test_one_period_is_one_column_centred_with_its_name_once():
    [column] = chart(1).shapes
    assert column.width == charts.COLUMN_MAX_WIDTH
    assert column.text_x == charts.AXIS + (charts.COLUMNS_WIDTH - charts.AXIS) / 2
    assert (chart(1).axis_first, chart(1).axis_last) == ("01/11/2026", "")


def test_few_periods_keep_narrow_columns_under_their_names():
    drawn = chart(4)
    assert {shape.width for shape in drawn.shapes} == {charts.COLUMN_MAX_WIDTH}
    assert drawn.axis_first_x == drawn.shapes[0].x > charts.AXIS
    assert drawn.axis_last_x == drawn.shapes[-1].x + drawn.shapes[-1].width < charts.COLUMNS_WIDTH
    assert drawn.axis_last == "04/11/2026"


def test_many_periods_fill_the_width_with_gaps():
    drawn = chart(charts.LATEST)
    step = (charts.COLUMNS_WIDTH - charts.AXIS) / charts.LATEST
    assert all(shape.width < step for shape in drawn.shapes)
    assert drawn.shapes[-1].x + drawn.shapes[-1].width <= charts.COLUMNS_WIDTH


def test_bars_keep_names_above_and_the_longest_figure_inside_the_drawing():
    figures = [("Remboursé (en partie ou en totalité)", 0), ("Payé", 8), ("Refusé", 4)]
    drawn = charts.bars(
        "outcomes",
        "Paiements par résultat",
        [charts.Point(name, n, f"{n} payés · 490,00 $") for name, n in figures],
        label_header="Résultat",
        value_header="Paiements",
    )
    for shape in drawn.shapes:
        assert shape.x == 0 and shape.label_y < shape.y  # its name on its own line above
        figure_end = shape.text_x + len(shape.point.shown) * charts.CHAR_WIDTH
        assert figure_end <= charts.BARS_WIDTH
    assert drawn.label_chars * charts.CHAR_WIDTH <= charts.BARS_WIDTH
    assert len(figures[0][0]) < drawn.label_chars  # a long French name is drawn whole
