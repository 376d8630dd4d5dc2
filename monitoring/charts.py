"""Simple bar charts as inline SVG, drawn on the server (no JavaScript, no CDN)."""

from django.utils.html import format_html, format_html_join

BAR_HEIGHT = 18
GAP = 10
LABEL_WIDTH = 220
PLOT_WIDTH = 360


def bar_chart(rows: list[dict], *, title: str, unit: str = "") -> str:
    """`rows`: [{"label", "value", "mark" (optional, e.g. the budget), "alert" (bool)}]. Returns
    an accessible <svg> (role=img, <title>) with one horizontal bar per row."""
    values = [r["value"] or 0 for r in rows] + [r.get("mark") or 0 for r in rows]
    top = max([*values, 1])
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = []
    for i, row in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        value = row["value"] or 0
        width = round(PLOT_WIDTH * value / top, 1)
        css = "bar alert" if row.get("alert") else "bar"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="{}"></rect>'
                '<text x="{}" y="{}" class="chart-value">{}{}</text>',
                LABEL_WIDTH - 6,
                y + BAR_HEIGHT - 4,
                row["label"][:32],
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                css,
                LABEL_WIDTH + width + 4,
                y + BAR_HEIGHT - 4,
                _fmt(row["value"]),
                unit,
            )
        )
        if row.get("mark"):
            x = LABEL_WIDTH + round(PLOT_WIDTH * row["mark"] / top, 1)
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-mark"></line>',
                    x,
                    x,
                    y - 3,
                    y + BAR_HEIGHT + 3,
                )
            )
    body = format_html_join("", "{}", ((p,) for p in parts))
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        LABEL_WIDTH + PLOT_WIDTH + 60,
        height,
        title,
        body,
    )


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)
