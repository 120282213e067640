"""Small matplotlib charts for the workshop screens (PNG, built with Figure, not pyplot)."""

from __future__ import annotations

from matplotlib.figure import Figure


def brand_figure(frame, boundaries: list[int], labels: dict[str, str]) -> Figure:
    """A team's own brand: followers, and maturity with net sentiment, day by day."""
    fig = Figure(figsize=(7.5, 2.6), dpi=80)
    left, right = fig.subplots(1, 2)
    left.plot(frame["day"], frame["followers"], color="#3a6ea5")
    left.set_title(labels["followers"], fontsize=9)
    right.plot(frame["day"], frame["maturity"], color="#2a9d8f", label=labels["maturity"])
    right.plot(frame["day"], frame["net_sentiment"], color="#e76f51", label=labels["sentiment"])
    right.legend(fontsize=7, frameon=False)
    for ax in (left, right):
        ax.tick_params(labelsize=7)
        for day in boundaries:
            ax.axvline(day, color="#999", linewidth=0.6, linestyle=":")
    fig.tight_layout()
    return fig


def market_figure(frame, brands, names: dict[str, str], column: str, title: str,
                  boundaries: list[int]) -> Figure:
    fig = Figure(figsize=(7.5, 2.8), dpi=80)
    ax = fig.add_subplot()
    for b in brands:
        rows = frame[frame["brand"] == b]
        ax.plot(rows["day"], rows[column], label=names.get(b, b))
    for day in boundaries:
        ax.axvline(day, color="#999", linewidth=0.6, linestyle=":")
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    from matplotlib.ticker import FuncFormatter

    from simulation.i18n import format_number

    numbers = FuncFormatter(lambda value, _pos: format_number(value))  # 0,2 in French
    ax.xaxis.set_major_formatter(numbers)
    ax.yaxis.set_major_formatter(numbers)
    ax.legend(fontsize=7, ncols=4, frameon=False)
    fig.tight_layout()
    return fig


def svg_chart(series: list[tuple[str, str, list, list]], title: str, boundaries: list[int],
              width: int = 360, height: int = 170) -> str:
    """A small line chart as inline SVG text: ``series`` is (label, colour, xs, ys).

    Built by hand, without matplotlib: every participant's page shows its own brand after each
    round, and forty PNG renders at a release would cost seconds of server CPU; this costs
    about a millisecond. Labels are escaped; the numbers are the model's.
    """
    from html import escape

    left, right, top, bottom = 44, 8, 18, 20
    xs = [x for _l, _c, sx, _sy in series for x in sx]
    ys = [y for _l, _c, _sx, sy in series for y in sy]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           'style="font:10px sans-serif">',
           f'<text x="{left}" y="11" font-weight="bold">{escape(title)}</text>']
    if xs and ys:
        x0, x1 = min(xs), max(xs)
        y0, y1 = min(ys), max(ys)
        if y1 - y0 < 1e-12:
            y0, y1 = y0 - 1, y1 + 1
        x1 = x1 if x1 > x0 else x0 + 1

        def px(x):
            return left + (x - x0) / (x1 - x0) * (width - left - right)

        def py(y):
            return top + (y1 - y) / (y1 - y0) * (height - top - bottom)

        out.append(f'<rect x="{left}" y="{top}" width="{width - left - right}" '
                   f'height="{height - top - bottom}" fill="none" stroke="#ccc"/>')
        for value in (y0, y1):
            out.append(f'<text x="{left - 3}" y="{py(value) + 3:.1f}" text-anchor="end">'
                       f'{_tick(value)}</text>')
        for value in (x0, x1):
            out.append(f'<text x="{px(value):.1f}" y="{height - 6}" text-anchor="middle">'
                       f'{value:.0f}</text>')
        for day in boundaries:
            if x0 <= day <= x1:
                out.append(f'<line x1="{px(day):.1f}" x2="{px(day):.1f}" y1="{top}" '
                           f'y2="{height - bottom}" stroke="#999" stroke-dasharray="2,2"/>')
        for i, (label, colour, sx, sy) in enumerate(series):
            points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(sx, sy, strict=True))
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                       f'points="{points}"/>')
            if len(series) > 1:
                out.append(f'<text x="{left + 6 + 110 * i}" y="{top + 11}" fill="{colour}">'
                           f'{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _tick(value: float) -> str:
    from simulation.i18n import format_number

    return format_number(value, 0 if abs(value) >= 100 else 2)
