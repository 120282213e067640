"""Every chart of the dashboard, declared once.

A :class:`Panel` is one metric over time (one line per brand, or per department for the
adoption chart); a :class:`Figure` groups panels that are drawn together, zoomed together and
exported together. From :data:`FIGURES` the dashboard derives:

- the Live tab's interactive charts (``tab == "live"``, in this order), drawn in the browser by
  :mod:`dashboards.livechart`; the Network tab's pictures (``tab == "network"``);
- the static PNG files of the Export tab (``export``: the file name, ``{brand}`` for one file
  per brand), drawn with matplotlib by :func:`dashboards.charts.draw` from the same panels;
- the ``/mesa`` page's tiles (``mesa``: the title of the ``/mesa`` page that shows it; a
  ``lines`` figure gives one tile per panel there);
- the Compare tab's overlaid panels (``compare=True`` on a panel; ``compare_as`` names the panel
  shown there instead, as the share of seeds in social business for the ordinal phase).

``kind`` says how a figure is drawn: ``lines`` (one line per brand and panel, or per department
of one chosen brand when ``per == "department"``; the default, and the only kind a new chart
needs), ``phase_bands`` (the phase of each brand as coloured bands in the PNG files and on
/mesa; its panels in the browser), ``organisation`` (one brand's departments and their internal
network) and ``network`` (a sample of customers coloured by their state toward one brand). Adding a chart of existing reporters is one ``Figure`` here
plus its test: the registry walk (``tests/test_registries.py``) checks that it renders in every
place it names.

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
    compare: bool = False  # overlaid on the Compare tab
    # On the Compare tab, this panel instead (a mean of an ordinal phase over seeds means
    # nothing: Compare shows the share of seeds in social business)
    compare_as: Panel | None = None
    # (column, threshold): the value is 1 on a day the column is at least the threshold, else 0,
    # so its mean over seeds is a share of runs (its band a Wilson interval, not a t interval)
    indicator: tuple[str, float] | None = None


@dataclass(frozen=True)
class Figure:
    id: str
    title: str | LazyString
    panels: tuple[Panel, ...]
    tab: str = "live"  # "live" or "network": the dashboard tab that shows it
    export: str = ""  # PNG file name in the Export tab's zip ("" : not exported)
    mesa: str | LazyString = ""  # the title of the /mesa page that shows it ("": not there)
    columns: int = 3  # panels per row
    per: str = "brand"  # one line per "brand", or per "department" of one chosen brand
    crisis_bands: bool = False
    story: bool = False  # tells the preset's story: kept above the fold in projector mode
    kind: str = "lines"  # how it is drawn: one of KINDS

    @property
    def of_one_brand(self) -> bool:
        """Drawn for one chosen brand (a select on the page, one PNG file per brand)."""
        return self.per == "department" or self.kind in ("organisation", "network")


KINDS = ("lines", "phase_bands", "organisation", "network")

SOCIAL_BUSINESS_SHARE = Panel(
    "social_business_share", _l("Runs in social business (phase 3)"), _l("share of seeds (%)"),
    scale=100, top=100, step=True, percent=True, indicator=("phase", 3))
PHASE = Panel("phase", _l("Maturity phase"), _l("phase"), floor=False, step=True, compare=True,
              compare_as=SOCIAL_BUSINESS_SHARE)
MATURITY = Panel("maturity", _l("Adoption maturity (mean of departments)"), "%", scale=100,
                 top=100, percent=True, compare=True)
OF_FOLLOWERS = _l("share of followers (%)")
PER_DAY = _l("per day")

FIGURES: tuple[Figure, ...] = (
    Figure("phases", _l("Maturity by brand, with events"), (PHASE, MATURITY),
           export="phases.png", columns=2, mesa=_l("Phases & adoption"), kind="phase_bands"),
    Figure("audience", _l("Audience"), (
        Panel("followers", _l("Followers"), _l("people"), compare=True),
        Panel("organic_reach", _l("Organic reach per post"), OF_FOLLOWERS, scale=100, flow=True,
              percent=True),
        Panel("engagement_per_post", _l("Engagement per post (7-day mean)"), _l("engagements"),
              smooth=7, flow=True, compare=True),
        Panel("weekly_engaged_share", _l("Followers engaged this week"), OF_FOLLOWERS,
              scale=100, flow=True, percent=True),
        Panel("mean_fatigue", _l("Fatigue of followers"), _l("% (0 none … 100 saturated)"),
              scale=100, top=100, flow=True, percent=True),
        Panel("net_sentiment", _l("Net sentiment"), _l("% positive − % negative"), scale=100,
              floor=False, flow=True, percent=True, compare=True),
    ), export="audience.png", mesa=_l("Audience"), story=True),
    Figure("service", _l("Customer service"), (
        Panel("complaints_new", _l("New public complaints (7-day mean)"), PER_DAY, smooth=7,
              flow=True, compare=True),
        Panel("backlog", _l("Customer-service backlog"), _l("people waiting")),
        Panel("negative_exposures", _l("People seeing complaints"), PER_DAY, flow=True),
        Panel("crisis_level", _l("Crisis level"), _l("0 none … 3 severe"), step=True, top=3),
    ), export="customer_service.png", mesa=_l("Customer service & crises"), columns=2,
       crisis_bands=True, story=True),
    # One panel per department: its title is the department's id (drawn with its label).
    Figure("adoption", _l("Adoption by department"), tuple(
        Panel(f"adoption_{kind}", kind, _l("share of staff (%)"), scale=100, top=100, percent=True)
        for kind in DEPARTMENTS), export="adoption_{brand}.png", per="department", columns=1,
        mesa=_l("Phases & adoption")),
    # The Network tab's pictures: not time series, so no panels.
    Figure("network", _l("Customer network"), (), tab="network", export="network_{brand}.png",
           kind="network"),
    Figure("organisation", _l("Organisation"), (), tab="network",
           export="organisation_{brand}.png", kind="organisation"),
)

BY_ID = {figure.id: figure for figure in FIGURES}


def figure(figure_id: str) -> Figure:
    return BY_ID[figure_id]


def live_figures() -> list[Figure]:
    return [f for f in FIGURES if f.tab == "live"]


def exports(brands) -> list[tuple[str, Figure, str | None]]:
    """The PNG files of the Export tab's zip, in order: (file name, figure, brand or None)."""
    files = []
    for f in FIGURES:
        if not f.export:
            continue
        if f.of_one_brand:
            files += [(f.export.format(brand=b), f, b) for b in brands]
        else:
            files.append((f.export, f, None))
    return files


def export_names(brands) -> list[str]:
    """The PNG files of the Export tab's zip, in order."""
    return [name for name, _figure, _brand in exports(brands)]


def mesa_pages() -> dict[str, list[Figure]]:
    """The ``/mesa`` pages, in order of first appearance, with the figures each shows."""
    pages: dict[str, list[Figure]] = {}
    for f in FIGURES:
        if f.mesa:  # keyed by the title in the language of the moment
            pages.setdefault(str(f.mesa), []).append(f)
    return pages


def compare_panels() -> tuple[Panel, ...]:
    """The panels the Compare tab overlays, in registry order (a panel's ``compare_as`` in its
    place)."""
    return tuple(p.compare_as or p for f in FIGURES for p in f.panels if p.compare)


def as_tuples(panels) -> tuple[tuple[str, str, str, int], ...]:
    """The (column, title, y label, smoothing) panels that :mod:`simulation.plots` draws
    (title and label lazy: ``str()`` them when drawing)."""
    return tuple((p.column, p.title, p.unit, p.smooth) for p in panels)
