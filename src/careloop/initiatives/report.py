"""Charts (reportlab graphics, drawn once and shown as SVG on the page and in the PDF) and
the board reports: one PDF per initiative and a quarterly summary."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from careloop.initiatives import money
from careloop.initiatives.models import Initiative
from careloop.initiatives.selectors import Effect, IdeaOutput, MoneyOverview

TREATED, COMPARISON = colors.HexColor("#1f6feb"), colors.HexColor("#8b949e")
GAIN, LOSS = colors.HexColor("#2da44e"), colors.HexColor("#cf222e")
WIDTH = 440


def before_after_chart(effect: Effect) -> Drawing:
    """Monthly means of the teams with the initiative and those without; the start marked."""
    drawing = Drawing(WIDTH, 200)
    series = effect.result.series
    lines = [
        [(index, value) for index, (_, value, _) in enumerate(series) if value is not None],
        [(index, value) for index, (_, _, value) in enumerate(series) if value is not None],
    ]
    if not any(lines):
        drawing.add(String(10, 100, "No month reaches the minimums yet.", fontSize=10))
        return drawing
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 45, 40, WIDTH - 60, 140
    plot.data = [line or [(0, 0)] for line in lines]
    for index, colour in enumerate((TREATED, COMPARISON)):
        plot.lines[index].strokeColor = colour
        plot.lines[index].strokeWidth = 2
        plot.lines[index].symbol = makeMarker("FilledCircle", size=3)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, len(series) - 0.5
    plot.xValueAxis.valueSteps = list(range(len(series)))
    plot.xValueAxis.labelTextFormat = lambda i: (
        f"{series[int(i)][0]:%b %y}" if 0 <= int(i) < len(series) else ""
    )
    plot.xValueAxis.labels.fontSize = 7
    plot.xValueAxis.labels.angle = 30
    plot.xValueAxis.labels.dy = -8
    plot.yValueAxis.labels.fontSize = 8
    drawing.add(plot)
    start_index = next(
        (i for i, (month, _, _) in enumerate(series) if month >= effect.start), len(series)
    )
    # Month i sits at i on an axis from −0.5: the start line falls between the months.
    x = plot.x + plot.width * start_index / len(series)
    drawing.add(Line(x, plot.y, x, plot.y + plot.height, strokeColor=LOSS, strokeDashArray=[3, 2]))
    drawing.add(String(x + 3, plot.y + plot.height + 4, "start", fontSize=8, fillColor=LOSS))
    drawing.add(String(45, 8, "— with the initiative", fontSize=8, fillColor=TREATED))
    drawing.add(String(180, 8, "— comparison teams", fontSize=8, fillColor=COMPARISON))
    return drawing


def interval_chart(effect: Effect) -> Drawing:
    """The effect as a point with its 95 % interval as an error bar, and zero marked."""
    drawing = Drawing(WIDTH, 70)
    estimate = effect.result.effect
    if estimate.value is None or estimate.low is None or estimate.high is None:
        drawing.add(String(10, 30, "No interval: minimums not met.", fontSize=10))
        return drawing
    lowest = min(estimate.low, 0.0)
    highest = max(estimate.high, 0.0)
    span = (highest - lowest) or 1.0
    left, right = 40, WIDTH - 40

    def at(value: float) -> float:
        return left + (value - lowest + 0.1 * span) / (1.2 * span) * (right - left)

    drawing.add(Line(at(0), 10, at(0), 55, strokeColor=COMPARISON, strokeDashArray=[2, 2]))
    drawing.add(String(at(0) - 3, 0, "0", fontSize=8))
    colour = COMPARISON if estimate.includes_zero else TREATED
    drawing.add(
        Line(at(estimate.low), 35, at(estimate.high), 35, strokeColor=colour, strokeWidth=2)
    )
    for end in (estimate.low, estimate.high):
        drawing.add(Line(at(end), 28, at(end), 42, strokeColor=colour, strokeWidth=2))
        drawing.add(String(at(end) - 10, 46, f"{end:+.2f}", fontSize=8))
    drawing.add(Rect(at(estimate.value) - 3, 32, 6, 6, fillColor=colour, strokeColor=colour))
    return drawing


def waterfall_chart(steps: Sequence[tuple[str, Decimal]]) -> Drawing:
    """Money as a waterfall: each step moves the running total; the last bar is the total."""
    drawing = Drawing(WIDTH, 190)
    running, bars = Decimal(0), []
    for label, amount in steps[:-1]:
        bars.append((label, running, running + amount))
        running += amount
    bars.append((steps[-1][0], Decimal(0), steps[-1][1]))
    values = [v for _, a, b in bars for v in (a, b)] + [Decimal(0)]
    lowest, highest = float(min(values)), float(max(values))
    span = (highest - lowest) or 1.0
    bottom, top = 30, 170

    def at(value: Decimal | float) -> float:
        return bottom + (float(value) - lowest) / span * (top - bottom)

    width = (WIDTH - 40) / len(bars)
    drawing.add(Line(20, at(0), WIDTH - 10, at(0), strokeColor=colors.black, strokeWidth=0.5))
    for index, (label, start, end) in enumerate(bars):
        x = 25 + index * width
        colour = GAIN if end >= start else LOSS
        if index == len(bars) - 1:
            colour = TREATED
        drawing.add(
            Rect(
                x,
                min(at(start), at(end)),
                width * 0.7,
                abs(at(end) - at(start)) or 1,
                fillColor=colour,
                strokeColor=None,
            )
        )
        drawing.add(String(x, 12, label, fontSize=8))
        drawing.add(String(x, max(at(start), at(end)) + 3, f"{end - start:,.0f}", fontSize=8))
    return drawing


_STYLE = re.compile(r'style="([^"]*)"')


def _as_attributes(match: re.Match[str]) -> str:
    """One inline style as presentation attributes: the content security policy refuses style
    attributes, not these."""
    pairs = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value:
            value = "none" if value.lower() == "none" else value
            pairs.append(f'{name}="{value}"')
    return " ".join(pairs)


def _number(value: float) -> str:
    return f"{value:g}"


def svg(drawing: Drawing) -> str:
    """The drawing as inline SVG (its text is the figures' own, escaped by reportlab)."""
    text = renderSVG.drawToString(drawing)
    text = _STYLE.sub(_as_attributes, text[text.index("<svg") :])
    # Scale to the page's width (its viewBox keeps the proportions), so a phone shows it whole.
    size = f'width="{_number(drawing.width)}" height="{_number(drawing.height)}"'
    return text.replace(size, 'width="100%"', 1)


def money_steps(effect: Effect) -> list[tuple[str, Decimal]] | None:
    if effect.returns is None:
        return None
    return [
        ("Value of effect", effect.returns.value),
        ("Cost", -effect.returns.cost),
        ("Net return", effect.returns.net),
    ]


def _initiative_story(
    initiative: Initiative, effects: Sequence[Effect], currency: str
) -> list[Any]:
    styles = getSampleStyleSheet()
    teams = ", ".join(team.name for team in initiative.teams.all())
    period = f"{initiative.start:%d %b %Y}" + (
        f" to {initiative.end:%d %b %Y}" if initiative.end else " onwards"
    )
    story: list[Any] = [
        Paragraph(initiative.name, styles["Title"]),
        Paragraph(
            f"{initiative.get_kind_display()} for {teams}, {period}. "
            f"Cost: {currency} {initiative.cost_amount} and {initiative.cost_hours} hours.",
            styles["Normal"],
        ),
    ]
    for effect in effects:
        label = effect.outcome.label
        story += [
            Paragraph(f"Effect on {label}", styles["Heading2"]),
            before_after_chart(effect),
            Paragraph(effect.reading, styles["Normal"]),
            Spacer(1, 0.2 * cm),
            interval_chart(effect),
            Paragraph("Pre-trend check", styles["Heading3"]),
            Paragraph(effect.pre_trend_reading, styles["Normal"]),
            Paragraph("Money", styles["Heading3"]),
        ]
        steps = money_steps(effect)
        if steps and effect.returns is not None:
            story += [
                waterfall_chart(steps),
                Paragraph(
                    f"Estimated return {currency} {effect.returns.net:,.2f} (95 % interval "
                    f"{effect.returns.net_low:,.2f} to {effect.returns.net_high:,.2f}). "
                    + effect.money_note,
                    styles["Normal"],
                ),
            ]
        else:
            story.append(Paragraph(effect.money_note, styles["Normal"]))
    story.append(
        Paragraph(
            "Observational data, not a randomised trial: the comparison teams stand in for what "
            "would have happened without the initiative.",
            styles["Italic"],
        )
    )
    return story


def _build(story: list[Any]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title="careloop report", leftMargin=2 * cm, rightMargin=2 * cm
    )
    document.build(story)
    return buffer.getvalue()


def initiative_pdf(initiative: Initiative, effects: Sequence[Effect], currency: str) -> bytes:
    return _build(_initiative_story(initiative, effects, currency))


def quarterly_pdf(
    overview: MoneyOverview,
    initiatives: Sequence[tuple[Initiative, Sequence[Effect]]],
    ideas: IdeaOutput,
    currency: str,
    today: datetime.date,
) -> bytes:
    styles = getSampleStyleSheet()
    first, last = overview.quarter
    inaction = overview.inaction
    story: list[Any] = [
        Paragraph(f"Quarterly summary {first:%d %b} – {last:%d %b %Y}", styles["Title"]),
        Paragraph("Cost of inaction", styles["Heading2"]),
        waterfall_chart(
            [
                ("Turnover", -inaction.turnover),
                ("Unrecovered", -(inaction.unrecovered_loss or money.money(0))),
                ("Total", -inaction.total),
            ]
        ),
        Paragraph(
            f"{inaction.leavers} leavers cost {currency} {inaction.turnover:,.2f}; "
            f"{inaction.unrecovered} unrecovered detractors "
            + (
                f"cost {currency} {inaction.unrecovered_loss:,.2f} in measured lost retention."
                if inaction.unrecovered_loss is not None
                else "have no measured retention gap yet."
            ),
            styles["Normal"],
        ),
        Paragraph("Innovation output", styles["Heading2"]),
        Paragraph(
            f"{ideas.received} ideas received, {ideas.answered} answered, {ideas.adopted} adopted,"
            f" {ideas.initiatives} became initiatives.",
            styles["Normal"],
        ),
        Paragraph("Initiatives", styles["Heading2"]),
    ]
    for initiative, effects in initiatives:
        story.append(Paragraph(initiative.name, styles["Heading3"]))
        story += [Paragraph(effect.reading, styles["Normal"]) for effect in effects]
    for initiative, effects in initiatives:
        story.append(PageBreak())
        story += _initiative_story(initiative, effects, currency)
    return _build(story)
