"""Every chart of the dashboard, declared once.

A :class:`Panel` is one metric over time (one line per brand, or per department for the
adoption chart); a :class:`Figure` groups panels that are drawn together, zoomed together and
exported together. From :data:`FIGURES` the dashboard derives:

- the Live tab's interactive charts (``tab == "live"``, in this order), drawn in the browser by
  :mod:`dashboards.livechart`;
- the static PNG files of the Export tab (``export``: the file name), drawn with matplotlib by
  :mod:`dashboards.charts` from the same panels;
- the ``/mesa`` page's panels (``mesa``: shown there too).

Rules:

- ``unit`` is what the y axis and the hover value say; ``scale`` turns the reported value into
  that unit (0.25 engaged share → 25 %), so the cards and the charts agree.
- ``smooth`` is a trailing mean over that many days (the same as the CLI's PNG files).
- ``floor`` pins the y axis at 0 for quantities that cannot be negative, so day 0 does not show
  an empty −0.04…0.04 axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.config import DEPARTMENTS


@dataclass(frozen=True)
class Panel:
    column: str  # the reported column (simulation.metrics), or "adoption_{department}"
    title: str
    unit: str
    smooth: int = 1
    scale: float = 1.0
    floor: bool = True  # y axis starts at 0
    top: float | None = None  # y axis ends there (e.g. 100 %)
    step: bool = False  # a value that jumps (phase, crisis level): drawn as steps
    flow: bool = False  # a quantity of the day (reach, engagement): none yet on day 0


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    panels: tuple[Panel, ...]
    tab: str = "live"
    export: str = ""  # PNG file name in the Export tab's zip ("" : not exported)
    mesa: bool = False
    columns: int = 3  # panels per row
    per: str = "brand"  # one line per "brand", or per "department" of one chosen brand
    crisis_bands: bool = False
    story: bool = False  # tells the preset's story: kept above the fold in projector mode


PHASE = Panel("phase", "Maturity phase", "phase", floor=False, step=True)
MATURITY = Panel("maturity", "Adoption maturity (mean of departments)", "%", scale=100, top=100)

FIGURES: tuple[Figure, ...] = (
    Figure("phases", "Maturity by brand, with events", (PHASE, MATURITY), export="phases.png",
           columns=2),
    Figure("audience", "Audience", (
        Panel("followers", "Followers", "people"),
        Panel("organic_reach", "Organic reach per post", "% of followers", scale=100, flow=True),
        Panel("engagement_per_post", "Engagement per post (7-day mean)", "engagements",
              smooth=7, flow=True),
        Panel("weekly_engaged_share", "Followers engaged this week", "% of followers",
              scale=100, flow=True),
        Panel("mean_fatigue", "Fatigue of followers", "% (0 none … 100 saturated)",
              scale=100, top=100, flow=True),
        Panel("net_sentiment", "Net sentiment", "% positive − % negative", scale=100,
              floor=False, flow=True),
    ), export="audience.png", mesa=True, story=True),
    Figure("service", "Customer service", (
        Panel("complaints_new", "New public complaints (7-day mean)", "per day", smooth=7, flow=True),
        Panel("backlog", "Customer-service backlog", "people waiting"),
        Panel("negative_exposures", "People seeing complaints", "per day", flow=True),
        Panel("crisis_level", "Crisis level", "0 none … 3 severe", step=True, top=3),
    ), export="customer_service.png", mesa=True, columns=2, crisis_bands=True, story=True),
    Figure("adoption", "Adoption by department", tuple(
        Panel(f"adoption_{kind}", kind, "% of staff", scale=100, top=100)
        for kind in DEPARTMENTS), export="adoption_{brand}.png", per="department", columns=1),
)

BY_ID = {figure.id: figure for figure in FIGURES}


def figure(figure_id: str) -> Figure:
    return BY_ID[figure_id]


def live_figures() -> list[Figure]:
    return [f for f in FIGURES if f.tab == "live"]


def export_names(brands) -> list[str]:
    """The PNG files of the Export tab's zip, in order."""
    names = []
    for f in FIGURES:
        if not f.export:
            continue
        if "{brand}" in f.export:
            names += [f.export.format(brand=b) for b in brands]
        else:
            names.append(f.export)
    return names


def as_tuples(figure_id: str) -> tuple[tuple[str, str, str, int], ...]:
    """The (column, title, y label, smoothing) panels that :mod:`simulation.plots` draws."""
    return tuple((p.column, p.title, p.unit, p.smooth) for p in BY_ID[figure_id].panels)
