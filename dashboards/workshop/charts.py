"""Small charts for the workshop screens, as inline SVG built from the numbers (a team's brand;
the market on the console and the projector): no matplotlib on the server's round path."""

from __future__ import annotations

PALETTE = ("#3a6ea5", "#e76f51", "#2a9d8f", "#e9c46a", "#8e5ea2", "#f4a261", "#264653",
           "#d62828", "#6a994e", "#b5838d")
DASHES = ("", "6,3", "2,2", "8,3,2,3")  # the 11th brand on: the palette again, dashed


def market_svg(frame, brands, names: dict[str, str], column: str, title: str,
               boundaries: list[int]) -> str:
    """Every brand's ``column`` day by day, as inline SVG with an HTML legend (the console and
    the projector): built from the numbers in a few milliseconds, where a matplotlib PNG of
    forty brands took a second of the server's CPU at each round."""
    from html import escape

    series = []
    for i, brand in enumerate(brands):
        rows = frame[frame["brand"] == brand]
        series.append((names.get(brand, brand), PALETTE[i % len(PALETTE)],
                       rows["day"].tolist(), rows[column].tolist(),
                       DASHES[(i // len(PALETTE)) % len(DASHES)]))
    chart = svg_chart([(label, colour, xs, ys) for label, colour, xs, ys, _d in series], title,
                      boundaries, width=640, height=240, legend=False,
                      dashes=[d for *_rest, d in series])
    legend = " ".join(
        f'<span style="white-space:nowrap;margin-right:10px"><svg width="22" height="8">'
        f'<line x1="0" y1="4" x2="22" y2="4" stroke="{colour}" stroke-width="2"'
        f'{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/></svg> '
        f"{escape(label)}</span>" for label, colour, _xs, _ys, dash in series)
    return f'<div>{chart}<div style="font-size:0.8em;max-width:640px">{legend}</div></div>'


def svg_chart(series: list[tuple[str, str, list, list]], title: str, boundaries: list[int],
              width: int = 360, height: int = 170, legend: bool = True,
              dashes: list[str] | None = None) -> str:
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
            dash = f' stroke-dasharray="{dashes[i]}"' if dashes and dashes[i] else ""
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5"{dash} '
                       f'points="{points}"/>')
            if legend and len(series) > 1:
                out.append(f'<text x="{left + 6 + 110 * i}" y="{top + 11}" fill="{colour}">'
                           f'{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _tick(value: float) -> str:
    from simulation.i18n import format_number

    return format_number(value, 0 if abs(value) >= 100 else 2)
