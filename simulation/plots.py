"""Charts of a run, drawn from the tidy time series (one row per day and brand).

Each ``draw_*`` function draws on a matplotlib Axes it is given, so the CLI's PNG files and the
dashboard show the same pictures. Figures are built with ``matplotlib.figure.Figure`` (no
pyplot state), which is safe in servers and threads.

The run's PNG files are drawn at the least cost that keeps them readable (a chart's cost is
mostly matplotlib's per-artist work, texts first, not pixels): one figure redrawn for every
brand's adoption, at most six y ticks a panel and one legend per multi-panel figure, PNGs
compressed at zlib level 1. The run's PNG files use fixed margins in inches (:func:`fixed_grid`) instead of matplotlib's
constrained layout: the layout engine measures every text by drawing the figure once more
before saving it, which took a third of the CPU time of ``socbiz run``'s charts
(``benchmarks/bench_plots.py``).

Titles, axis labels and legends are in the language of the moment (simulation.i18n): the panel
tables hold lazy strings, translated when a chart is drawn; brand names are shown as written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .config import DEPARTMENTS
from .i18n import _, _l
from .vocabulary import DEPARTMENT_TERMS, label_of

PHASE_COLOURS = {1: "#d9d9d9", 2: "#f4a261", 3: "#2a9d8f"}
PHASE_LABELS = {1: _l("1 experimentation"), 2: _l("2 social marketing"),
                3: _l("3 social business")}
DEPARTMENT_COLOURS = dict(zip(DEPARTMENTS, (
    "#264653", "#e76f51", "#f4a261", "#2a9d8f", "#8ab17d", "#e9c46a", "#9b5de5", "#577590",
    "#bc4749",
), strict=True))
BRAND_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                 "#17becf", "#7f7f7f", "#bcbd22")
EVENT_STYLE = {
    "crisis_start": ("v", "#c1121f"),
    "crisis_escalation": ("v", "#780000"),
    "crisis_injected": ("X", "#c1121f"),
    "intervention": ("o", "#1d3557"),
    "phase_change": ("D", "#2a9d8f"),
    "help_desk": ("s", "#6c757d"),
    "agency_dropped": ("P", "#6a4c93"),
}
# The legend's words for the event kinds (the kinds themselves are identifiers).
EVENT_LABELS = {
    "crisis_start": _l("crisis start"),
    "crisis_escalation": _l("crisis escalation"),
    "crisis_injected": _l("crisis injected"),
    "intervention": _l("intervention"),
    "phase_change": _l("phase change"),
    "help_desk": _l("help desk"),
    "agency_dropped": _l("agency dropped"),
}


def brands_of(frame: pd.DataFrame) -> list[str]:
    """The brands in order of appearance."""
    return list(frame["brand"].unique())


def brand_colours(brands) -> dict[str, str]:
    """A stable colour per brand (by order of appearance), shared by every chart."""
    return {b: BRAND_PALETTE[i % len(BRAND_PALETTE)] for i, b in enumerate(brands)}


def draw_adoption(ax, frame: pd.DataFrame, brand: str, *, legend: bool = True) -> None:
    """Adoption of each department of one brand over time."""
    rows = frame[frame["brand"] == brand]
    for kind in DEPARTMENTS:
        ax.plot(rows["day"], rows[f"adoption_{kind}"], label=str(label_of(DEPARTMENT_TERMS, kind)),
                color=DEPARTMENT_COLOURS[kind], lw=1.6)
    ax.set_ylim(0, 1)
    ax.set_ylabel(_("adoption (0-1)"))
    ax.set_xlabel(_("day"))
    ax.set_title(_("Social-media adoption by department: {brand}").format(brand=brand))
    if legend:
        ax.legend(fontsize=7, ncol=3, loc="upper left")
    ax.grid(alpha=0.3)


def draw_phases(ax, frame: pd.DataFrame, events: pd.DataFrame | None = None) -> None:
    """Phase of each brand over time as coloured bands, with event markers."""
    brands = brands_of(frame)
    for row, brand in enumerate(brands):
        rows = frame[frame["brand"] == brand]
        days, phases = rows["day"].to_numpy(), rows["phase"].to_numpy()
        start = 0
        for i in range(1, len(days) + 1):
            if i == len(days) or phases[i] != phases[start]:
                end = days[i] if i < len(days) else days[-1] + 1
                ax.barh(row, end - days[start], left=days[start], height=0.6,
                        color=PHASE_COLOURS.get(int(phases[start]), "#ffffff"))
                start = i
    if events is not None and len(events):
        position = {b: i for i, b in enumerate(brands)}
        for kind, (marker, colour) in EVENT_STYLE.items():
            chosen = events[(events["kind"] == kind) & events["brand"].isin(position)]
            if len(chosen):
                ax.scatter(chosen["day"], [position[b] + 0.38 for b in chosen["brand"]],
                           marker=marker, color=colour, s=28, zorder=3,
                           label=str(EVENT_LABELS.get(kind, kind.replace("_", " "))))
    ax.set_yticks(range(len(brands)), brands)
    ax.set_ylim(-0.6, len(brands) - 0.1)
    ax.set_xlabel(_("day"))
    ax.set_title(_("Maturity phase by brand, with events"))
    handles = [Patch(color=c, label=str(PHASE_LABELS[p])) for p, c in PHASE_COLOURS.items()]
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], fontsize=7, ncol=4,
              loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)


def draw_metric(ax, frame: pd.DataFrame, column: str, title: str, ylabel: str = "",
                smooth: int = 1, *, legend: bool = True, colours: dict[str, str] | None = None,
                linestyle: str = "-", label_suffix: str = "") -> None:
    """One metric per brand over time (optionally a trailing mean of ``smooth`` days).

    ``colours`` maps brands to colours (default :func:`brand_colours`); ``linestyle`` and
    ``label_suffix`` let two runs be overlaid on the same axes (e.g. "--" and " (B)").
    """
    brands = brands_of(frame)
    colours = colours or brand_colours(brands)
    for brand in brands:
        rows = frame[frame["brand"] == brand]
        values = rows[column].astype(float)
        if smooth > 1:
            values = values.rolling(smooth, min_periods=1).mean()
        ax.plot(rows["day"], values, label=f"{brand}{label_suffix}", lw=1.5,
                color=colours.get(brand), linestyle=linestyle)
    ax.set_title(str(title))
    ax.set_ylabel(str(ylabel))
    ax.set_xlabel(_("day"))
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=7)


CRISIS_ALPHA = {1: 0.12, 2: 0.22, 3: 0.35}


def crisis_spans(frame: pd.DataFrame) -> list[tuple[int, int, int]]:
    """(first day, last day, level) of each run of days with the same highest crisis level."""
    levels = frame.groupby("day")["crisis_level"].max()
    spans: list[tuple[int, int, int]] = []
    for day, level in zip(levels.index.to_numpy(), levels.to_numpy(), strict=True):
        level = int(level)
        if level <= 0:
            continue
        if spans and spans[-1][2] == level and spans[-1][1] == day - 1:
            spans[-1] = (spans[-1][0], int(day), level)
        else:
            spans.append((int(day), int(day), level))
    return spans


def draw_crisis_bands(ax, frame: pd.DataFrame) -> None:
    """Shade the days when any brand is in crisis (darker for higher levels).

    Consecutive days at the same level are drawn as one band (one patch per crisis instead of
    one per day keeps the dashboard's live redraws fast).
    """
    for first, last, level in crisis_spans(frame):
        ax.axvspan(first - 0.5, last + 0.5, color="#c1121f", alpha=CRISIS_ALPHA.get(level, 0.35),
                   lw=0)


MARKET_PANELS = (
    ("followers", _l("Followers"), _l("people"), 1),
    ("organic_reach", _l("Organic reach per post"), _l("share of followers"), 1),
    ("engagement_per_post", _l("Engagement per post (7-day mean)"), _l("engagements"), 7),
    ("weekly_engaged_share", _l("Followers engaged in the last 7 days"), _l("share"), 1),
    ("mean_fatigue", _l("Mean fatigue of followers"), "0-1", 1),
    ("net_sentiment", _l("Net sentiment (positive - negative)"), _l("share"), 1),
)

SERVICE_PANELS = (
    ("complaints_new", _l("New public complaints (7-day mean)"), _l("per day"), 7),
    ("backlog", _l("Customer-service backlog"), _l("people waiting"), 1),
    ("negative_exposures", _l("People seeing complaints"), _l("per day"), 1),
    ("crisis_level", _l("Crisis level"), "0-3", 1),
)


def fixed_grid(width: float, height: float, nrows: int = 1, ncols: int = 1, *,
               left: float = 0.75, right: float = 0.2, top: float = 0.4, bottom: float = 0.5,
               wgap: float = 0.8, hgap: float = 0.75) -> tuple[Figure, list]:
    """A figure of ``width`` x ``height`` inches with an nrows x ncols grid of axes, its margins
    and gaps given in inches (room for tick labels, axis labels and titles at the fonts used
    here), so that no layout engine has to measure the texts. Returns (figure, axes in row
    order)."""
    fig = Figure(figsize=(width, height))
    cell_w = (width - left - right - (ncols - 1) * wgap) / ncols
    cell_h = (height - top - bottom - (nrows - 1) * hgap) / nrows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height, wspace=wgap / cell_w, hspace=hgap / cell_h)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    return fig, list(axes)


def _panel_grid(axes) -> None:
    """The run's multi-panel figures: at most six y ticks a panel (with their grid lines and
    labels, most of the cost of drawing a panel) and the brands' legend on the first panel only
    (every panel gives a brand the same colour)."""
    for i, ax in enumerate(axes):
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        if i and ax.get_legend() is not None:
            ax.get_legend().remove()


def market_figure(frame: pd.DataFrame) -> Figure:
    fig, axes = fixed_grid(12, 7, 2, 3)
    for ax, (column, title, ylabel, smooth) in zip(axes, MARKET_PANELS, strict=True):
        draw_metric(ax, frame, column, title, ylabel, smooth, legend=ax is axes[0])
    _panel_grid(axes)
    return fig


def service_figure(frame: pd.DataFrame) -> Figure:
    fig, axes = fixed_grid(12, 6, 2, 2)
    for ax, (column, title, ylabel, smooth) in zip(axes, SERVICE_PANELS, strict=True):
        draw_metric(ax, frame, column, title, ylabel, smooth, legend=ax is axes[0])
        draw_crisis_bands(ax, frame)
    _panel_grid(axes)
    return fig


def _columns_drawn() -> list[str]:
    """The series' columns the run's charts read."""
    return ["brand", "day", "phase", "crisis_level",
            *(f"adoption_{kind}" for kind in DEPARTMENTS),
            *(column for column, *_ in MARKET_PANELS + SERVICE_PANELS)]


def save_run_plots(frame: pd.DataFrame, events: pd.DataFrame, folder: str | Path) -> list[Path]:
    """Write the standard PNG charts of a run; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # Only the columns drawn: every panel selects its brand's rows, and copies fewer columns.
    frame = frame[list(dict.fromkeys(_columns_drawn()))]
    written = []
    brands = brands_of(frame)
    # One figure for every brand's adoption: the first brand's is drawn, the others replace its
    # lines' values and its title (axes, ticks, legend and texts are built and laid out once).
    fig, (ax,) = fixed_grid(9, 4.5)
    for i, brand in enumerate(brands):
        if i == 0:
            draw_adoption(ax, frame, brand)
        else:
            rows = frame[frame["brand"] == brand]
            for line, kind in zip(ax.get_lines(), DEPARTMENTS, strict=True):
                line.set_data(rows["day"], rows[f"adoption_{kind}"])
            ax.set_title(_("Social-media adoption by department: {brand}").format(brand=brand))
        written.append(_save(fig, folder / f"adoption_{brand}.png"))
    # The legend sits under the axes (two rows of entries), hence the deep bottom margin.
    fig, (ax,) = fixed_grid(10, 2.3 + 0.6 * len(brands), left=0.9, bottom=1.0)
    draw_phases(ax, frame, events)
    written.append(_save(fig, folder / "phases.png"))
    written.append(_save(market_figure(frame), folder / "market.png"))
    written.append(_save(service_figure(frame), folder / "complaints_and_crises.png"))
    return written


def _save(fig: Figure, path: Path) -> Path:
    # zlib level 1: the PNG encoding costs a third of level 6's (PIL's default), for files
    # about a tenth larger (these charts are mostly flat colour).
    fig.savefig(path, dpi=110, pil_kwargs={"compress_level": 1})
    return path
