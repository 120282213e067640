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
- ``title`` and ``unit`` are lazy strings of the catalogue (``_l``): declared once, they read in
  the language of whoever draws the chart (the dashboard's FR/EN switch redraws it). Code keys
  on ``column``, never on a title or a unit (``percent`` says whether the unit is a percentage).
- ``floor`` pins the y axis at 0 for quantities that cannot be negative, so day 0 does not show
  an empty −0.04…0.04 axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.config import DEPARTMENTS
from simulation.i18n import LazyString, _l


@dataclass(frozen=True)
class Panel:
    column: str  # the reported column (simulation.metrics), or "adoption_{department}"
    title: str | LazyString
    unit: str | LazyString
    smooth: int = 1
    scale: float = 1.0
    floor: bool = True  # y axis starts at 0
    top: float | None = None  # y axis ends there (e.g. 100 %)
    step: bool = False  # a value that jumps (phase, crisis level): drawn as steps
    flow: bool = False  # a quantity of the day (reach, engagement): none yet on day 0
    percent: bool = False  # the unit is a percentage (values shown with a % sign)


@dataclass(frozen=True)
class Figure:
    id: str
    title: str | LazyString
    panels: tuple[Panel, ...]
    tab: str = "live"
    export: str = ""  # PNG file name in the Export tab's zip ("" : not exported)
    mesa: bool = False
    columns: int = 3  # panels per row
    per: str = "brand"  # one line per "brand", or per "department" of one chosen brand
    crisis_bands: bool = False
    story: bool = False  # tells the preset's story: kept above the fold in projector mode


PHASE = Panel("phase", _l("Maturity phase"), _l("phase"), floor=False, step=True)
MATURITY = Panel("maturity", _l("Adoption maturity (mean of departments)"), "%", scale=100,
                 top=100, percent=True)
OF_FOLLOWERS = _l("share of followers (%)")
PER_DAY = _l("per day")

FIGURES: tuple[Figure, ...] = (
    Figure("phases", _l("Maturity by brand, with events"), (PHASE, MATURITY),
           export="phases.png", columns=2),
    Figure("audience", _l("Audience"), (
        Panel("followers", _l("Followers"), _l("people")),
        Panel("organic_reach", _l("Organic reach per post"), OF_FOLLOWERS, scale=100, flow=True,
              percent=True),
        Panel("engagement_per_post", _l("Engagement per post (7-day mean)"), _l("engagements"),
              smooth=7, flow=True),
        Panel("weekly_engaged_share", _l("Followers engaged this week"), OF_FOLLOWERS,
              scale=100, flow=True, percent=True),
        Panel("mean_fatigue", _l("Fatigue of followers"), _l("% (0 none … 100 saturated)"),
              scale=100, top=100, flow=True, percent=True),
        Panel("net_sentiment", _l("Net sentiment"), _l("% positive − % negative"), scale=100,
              floor=False, flow=True, percent=True),
    ), export="audience.png", mesa=True, story=True),
    Figure("service", _l("Customer service"), (
        Panel("complaints_new", _l("New public complaints (7-day mean)"), PER_DAY, smooth=7,
              flow=True),
        Panel("backlog", _l("Customer-service backlog"), _l("people waiting")),
        Panel("negative_exposures", _l("People seeing complaints"), PER_DAY, flow=True),
        Panel("crisis_level", _l("Crisis level"), _l("0 none … 3 severe"), step=True, top=3),
    ), export="customer_service.png", mesa=True, columns=2, crisis_bands=True, story=True),
    # One panel per department: its title is the department's id (drawn with its label).
    Figure("adoption", _l("Adoption by department"), tuple(
        Panel(f"adoption_{kind}", kind, _l("share of staff (%)"), scale=100, top=100, percent=True)
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
    """The (column, title, y label, smoothing) panels that :mod:`simulation.plots` draws
    (title and label lazy: ``str()`` them when drawing)."""
    return tuple((p.column, p.title, p.unit, p.smooth) for p in BY_ID[figure_id].panels)
