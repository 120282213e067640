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
    ax.legend(fontsize=7, ncols=4, frameon=False)
    fig.tight_layout()
    return fig
