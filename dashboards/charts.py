"""The dashboard's figures, built from snapshots with ``matplotlib.figure.Figure`` (no pyplot).

The time-series panels reuse :mod:`simulation.plots` (the same pictures as ``socbiz run``'s PNG
files); this module adds what only the dashboard needs: time axes that grow with the run (a
young run fills the chart instead of hugging its left edge), markers for the interventions
made, and the organisation and customer-network views. :func:`draw` draws any figure of the
chart registry (the Export tab's PNG files, the Network tab); the Compare tab's charts are drawn
in the browser (:mod:`dashboards.replicates`, :mod:`dashboards.components.compare`).

Figures are drawn without a layout engine (fixed margins): constrained layout costs as much as
the drawing itself, and the dashboard redraws while it plays.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulation import plots
from simulation.config import DEPARTMENTS
from simulation.i18n import _, format_number, format_percent, ngettext
from simulation.views import CUSTOMER_STATES, BrandView, NetworkSample, RunView

from . import labels, registry
from .state import CUSTOMER_STATE_COLOURS

DPI = 100
FONT = {"title": 11, "label": 9, "tick": 8.5, "legend": 8.5}
# The panels come from the chart registry (declared once; the browser charts use the same).
SCALES = {p.column: p.scale for f in registry.FIGURES for p in f.panels if p.scale != 1}
FLOWS = {p.column for f in registry.FIGURES for p in f.panels if p.flow}
MARKED_EVENTS = {"intervention": "#1d3557", "crisis_injected": "#c1121f"}


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def shown_days(day: int, horizon: int) -> int:
    """Right end of the time axis: the horizon, or less while the run is young, so a live chart
    fills its width (the axis grows by months as the run goes on)."""
    return int(min(max(horizon, 1), max(60, 30 * np.ceil(day * 1.15 / 30))))


def _time_axis(ax, days: int) -> None:
    for line in ax.get_lines():  # day 0 alone: show the starting point, not an empty chart
        if len(line.get_xdata()) == 1:
            line.set_marker("o")
    ax.set_xlim(0, max(days, 1))
    ax.tick_params(labelsize=FONT["tick"])
    ax.title.set_fontsize(FONT["title"])
    ax.yaxis.label.set_fontsize(FONT["label"])
    ax.xaxis.label.set_fontsize(FONT["label"])


def mark_events(ax, events: pd.DataFrame | None) -> None:
    """Dotted vertical lines on the days of interventions and injected crises."""
    if events is None or not len(events):
        return
    for kind, colour in MARKED_EVENTS.items():
        for day in sorted(set(events.loc[events["kind"] == kind, "day"])):
            ax.axvline(day, color=colour, lw=0.9, ls=":", alpha=0.8, zorder=1)


def _brand_legend(fig: Figure, brands: list[str], colours: dict[str, str], extra=()) -> None:
    handles = [Line2D([], [], color=colours[b], lw=2, label=b) for b in brands]
    handles += list(extra)
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 8),
               fontsize=FONT["legend"], frameon=False, bbox_to_anchor=(0.5, 1.0))


def _event_handles(events: pd.DataFrame | None) -> list:
    if events is None or not len(events):
        return []
    return [Line2D([], [], color=c, lw=1, ls=":", label=str(plots.EVENT_LABELS[k]))
            for k, c in MARKED_EVENTS.items() if (events["kind"] == k).any()]


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777")
    ax.set_xticks([])
    ax.set_yticks([])


# ----------------------------------------------------------------------------------------------
# Live charts (``days``: right end of the time axis, see :func:`shown_days`)


def phase_figure(frame: pd.DataFrame, events: pd.DataFrame | None, days: int,
                 width: float = 8.0) -> Figure:
    """Phase bands per brand with event markers (crises, interventions, phase changes)."""
    brands = plots.brands_of(frame)
    fig = Figure(figsize=(width, 1.0))
    ax = fig.subplots()
    plots.draw_phases(ax, frame, events)
    _time_axis(ax, days)
    ax.set_ylim(-0.5, len(brands) - 0.05)
    ax.set_xlabel(_("day"))
    ax.set_title("")
    ax.set_title(_("Maturity phase by brand, with events"), loc="left", fontsize=FONT["title"])
    ax.tick_params(axis="y", labelsize=FONT["label"])
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    handles, _labels = ax.get_legend_handles_labels()
    phase_handles = [Patch(color=c, label=str(plots.PHASE_LABELS[p]))
                     for p, c in plots.PHASE_COLOURS.items()]
    ncol = 5
    legend_rows = -(-(len(phase_handles) + len(handles)) // ncol)
    # Margins in inches, so the bands keep their height whatever the number of brands.
    top, axes_height, below_axes = 0.32, 0.32 * len(brands) + 0.12, 0.48 + 0.22 * legend_rows
    height = top + axes_height + below_axes
    fig.set_size_inches(width, height)
    fig.legend(handles=phase_handles + handles, loc="lower center", ncol=ncol,
               fontsize=FONT["legend"] - 0.5, frameon=False, borderaxespad=0.2)
    longest = max((len(b) for b in brands), default=4)
    fig.subplots_adjust(left=min(0.3, (0.25 + 0.075 * longest) / width), right=0.985,
                        top=1 - top / height, bottom=below_axes / height)
    return fig


def adoption_figure(frame: pd.DataFrame, brand: str, days: int,
                    events: pd.DataFrame | None = None, size=(5.0, 3.5)) -> Figure:
    fig = Figure(figsize=size)
    ax = fig.subplots()
    plots.draw_adoption(ax, frame, brand, legend=False)
    if events is not None and len(events):
        mark_events(ax, events[events["brand"] == brand])
    _time_axis(ax, days)
    ax.set_title("")
    ax.set_title(_("Adoption by department: {brand}").format(brand=brand), loc="left",
                 fontsize=FONT["title"])
    ax.set_xlabel(_("day"))
    ax.set_ylabel(_("adoption (0-1)"))
    ax.legend(fontsize=FONT["legend"] - 0.5, loc="upper left", bbox_to_anchor=(1.01, 1.02),
              frameon=False, handlelength=1.2)
    fig.subplots_adjust(left=0.12, right=0.70, top=0.9, bottom=0.14)
    return fig


def panels_figure(frame: pd.DataFrame, panels, days: int, events: pd.DataFrame | None = None,
                  *, ncols: int = 3, crisis_bands: bool = False, width: float = 8.0,
                  panel_height: float = 2.2) -> Figure:
    """A grid of one-metric panels (one line per brand), one legend for all."""
    nrows = -(-len(panels) // ncols)
    height = 0.4 + panel_height * nrows
    fig = Figure(figsize=(width, height))
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    brands = plots.brands_of(frame)
    colours = plots.brand_colours(brands)
    for ax, (column, title, ylabel, smooth) in zip(axes, panels, strict=False):
        title, ylabel = str(title), str(ylabel)  # lazy: in the language of the moment
        if column not in frame:
            _empty(ax, _("{column}: not reported").format(column=column))
            continue
        if column in SCALES:  # in the registry's unit (e.g. %), as the browser charts show it
            frame = frame.assign(**{column: frame[column] * SCALES[column]})
        if column in FLOWS:  # a quantity of the day: none yet on day 0
            frame = frame.assign(**{column: frame[column].where(frame["day"] > 0)})
        plots.draw_metric(ax, frame, column, title, ylabel, smooth, legend=False, colours=colours)
        if crisis_bands:
            plots.draw_crisis_bands(ax, frame)
        if column == "crisis_level":
            ax.set_ylim(-0.1, 3.2)
            ax.set_yticks([0, 1, 2, 3])
        mark_events(ax, events)
        _time_axis(ax, days)
        ax.set_xlabel("")
        ax.title.set_fontsize(FONT["title"] - 1)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    _brand_legend(fig, brands, colours, _event_handles(events))
    fig.subplots_adjust(left=0.08, right=0.99, top=1 - 0.62 / height, bottom=0.22 / height * 2,
                        wspace=0.34, hspace=0.5)
    return fig


# ----------------------------------------------------------------------------------------------
# Organisation and customer network


def organisation_layout(weights: np.ndarray, hub: str | None = None) -> np.ndarray:
    """Departments on a circle; the hub department in the middle when it is linked to every
    other department and the others are not (centralised, hub and spoke models)."""
    n = len(DEPARTMENTS)
    links = (weights > 0).sum(axis=1)
    positions = np.zeros((n, 2))
    centre = DEPARTMENTS.index(hub) if hub in DEPARTMENTS else int(np.argmax(links))
    in_middle = links[centre] == n - 1 and links.min() < n - 1
    ring = [i for i in range(n) if not (in_middle and i == centre)]
    for k, i in enumerate(ring):
        angle = np.pi / 2 - 2 * np.pi * k / len(ring)
        positions[i] = (np.cos(angle), np.sin(angle))
    return positions


def organisation_figure(org: BrandView, size=(4.2, 4.1)) -> Figure:
    """The brand's departments coloured by adoption (red none, green full), linked by their
    internal network (thicker: stronger link); the dark ring's thickness is the trained share."""
    fig = Figure(figsize=size)
    ax = fig.subplots()
    scale = size[0] / 4.0
    brand, organisational_model = org.name, org.organisational_model
    weights = org.peer_weights
    positions = organisation_layout(weights, org.hub_department or None)
    segments, widths = [], []
    n = len(DEPARTMENTS)
    for i in range(n):
        for j in range(i + 1, n):
            if weights[i, j] > 0:
                segments.append([positions[i], positions[j]])
                widths.append(0.5 + 2.0 * weights[i, j])
    if segments:
        ax.add_collection(LineCollection(segments, linewidths=widths, colors="#9aa5b1",
                                         alpha=0.55, zorder=1))
    area = 700 * scale**2
    ax.scatter(positions[:, 0], positions[:, 1], s=area, c=org.adoption, cmap="RdYlGn",
               vmin=0, vmax=1, edgecolors="#333", linewidths=0.8, zorder=2)
    ax.scatter(positions[:, 0], positions[:, 1], s=area, facecolors="none",
               edgecolors="#1d3557", linewidths=0.5 + 4 * org.trained, zorder=3)
    for i, kind in enumerate(DEPARTMENTS):
        x, y = positions[i]
        ax.text(x, y, format_percent(org.adoption[i], 0), ha="center", va="center",
                fontsize=8.5 * scale**0.5, zorder=4, color="#111")
        ax.text(x, y - 0.2, str(labels.department(kind)), ha="center", va="top",
                fontsize=9.5 * scale**0.5, zorder=4)
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.42, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")
    model = (labels.organisational_model(organisational_model) if organisational_model
             else _("organisation"))
    ax.set_title(_("{brand}: {model}, phase {phase}, sponsorship {sponsorship}\n"
                   "colour = adoption · ring = trained staff").format(
                       brand=brand, model=model, phase=org.phase,
                       sponsorship=format_number(org.sponsorship, 2)),
                 fontsize=9.5 * scale**0.5)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.01)
    return fig


def network_figure(sample: NetworkSample, states: np.ndarray, brand: str,
                   n_customers: int, size=(6.2, 5.8)) -> Figure:
    """A sample of customers (fixed layout) coloured by their state toward one brand."""
    fig = Figure(figsize=size)
    ax = fig.subplots()
    pos = sample.positions
    if len(sample.edges):
        segments = np.stack([pos[sample.edges[:, 0]], pos[sample.edges[:, 1]]], axis=1)
        ax.add_collection(LineCollection(segments, colors="#b0b7c0", linewidths=0.5, alpha=0.6,
                                         zorder=1))
    sizes = 12 + 10 * np.sqrt(np.asarray(sample.degree, dtype=float))
    handles = []
    for code, term in enumerate(CUSTOMER_STATES):
        label, colour = term.label, CUSTOMER_STATE_COLOURS[term.id]
        chosen = states == code
        count = int(chosen.sum())
        handles.append(Line2D([], [], ls="", marker="o", color=colour, markersize=7,
                              label=f"{label} ({format_number(count)})"))
        if count:
            ax.scatter(pos[chosen, 0], pos[chosen, 1], s=sizes[chosen], c=colour,
                       edgecolors="#333", linewidths=0.3, zorder=2 + code)
    ax.legend(handles=handles, fontsize=FONT["legend"], loc="upper left",
              bbox_to_anchor=(0.0, -0.01), ncol=2, frameon=False)
    if len(pos):
        low, high = pos.min(axis=0), pos.max(axis=0)
        pad = 0.04 * np.maximum(high - low, 1e-9)
        ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
        ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
    ax.axis("off")
    # Two whole sentences (one per kind of network), each with its plural.
    shown, total = len(sample.nodes), format_number(n_customers)
    if sample.fully_mixed:
        title = ngettext("{n} of {total} random customers (fully mixed: no fixed friendships)\n"
                         "colour: state toward {brand} · size: number of friends",
                         "{n} of {total} random customers (fully mixed: no fixed friendships)\n"
                         "colour: state toward {brand} · size: number of friends", shown)
    else:
        title = ngettext("{n} of {total} customers and their friendships\n"
                         "colour: state toward {brand} · size: number of friends",
                         "{n} of {total} customers and their friendships\n"
                         "colour: state toward {brand} · size: number of friends", shown)
    ax.set_title(title.format(n=format_number(shown), total=total, brand=brand), fontsize=10)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.91, bottom=0.16)
    return fig


# ----------------------------------------------------------------------------------------------
# Any figure of the registry


def draw(figure: registry.Figure, frame: pd.DataFrame, events: pd.DataFrame | None, days: int,
         brand: str | None = None, *, run: RunView | None = None, width: float = 8.0,
         size: tuple[float, float] | None = None) -> Figure:
    """A figure of the registry as a static matplotlib figure (the Export tab's PNG files, the
    Network tab). ``brand``: the brand of a figure drawn for one brand; ``run``: the view of the
    run (or a dashboard snapshot taken with ``network=True``), needed by the organisation and
    network pictures only; ``size``: theirs, in inches."""
    if figure.kind == "phase_bands":
        return phase_figure(frame, events, days, width=width)
    if figure.kind == "organisation":
        return organisation_figure(run.organisation[brand], **({"size": size} if size else {}))
    if figure.kind == "network":
        return network_figure(run.network, run.customer_states[brand], brand,
                              run.config.market.n_customers, **({"size": size} if size else {}))
    if figure.per == "department":
        return adoption_figure(frame, brand, days, events)
    return panels_figure(frame, registry.as_tuples(figure.panels), days, events, ncols=figure.columns,
                         crisis_bands=figure.crisis_bands, width=width,
                         panel_height=2.2 if figure.columns > 2 else 2.1)
