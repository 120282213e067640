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
- the Compare tab's overlaid panels (``compare=True`` on a panel).

``kind`` says how a figure is drawn: ``lines`` (one line per brand and panel, or per department
of one chosen brand when ``per == "department"``; the default, and the only kind a new chart
needs), ``phase_bands`` (the phase of each brand as coloured bands in the PNG files and on
/mesa; its panels in the browser), ``organisation`` (one
brand's departments and their internal network) and ``network`` (a sample of customers coloured
by their state toward one brand). Adding a chart of existing reporters is one ``Figure`` here
plus its test: the registry walk (``tests/test_registries.py``) checks that it renders in every
place it names.

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
    compare: bool = False  # overlaid on the Compare tab


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    panels: tuple[Panel, ...]
    tab: str = "live"  # "live" or "network": the dashboard tab that shows it
    export: str = ""  # PNG file name in the Export tab's zip ("" : not exported)
    mesa: str = ""  # the /mesa page that shows it ("" : not shown there)
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

PHASE = Panel("phase", "Maturity phase", "phase", floor=False, step=True, compare=True)
MATURITY = Panel("maturity", "Adoption maturity (mean of departments)", "%", scale=100, top=100,
                 compare=True)

FIGURES: tuple[Figure, ...] = (
    Figure("phases", "Maturity by brand, with events", (PHASE, MATURITY), export="phases.png",
           columns=2, mesa="Phases & adoption", kind="phase_bands"),
    Figure("audience", "Audience", (
        Panel("followers", "Followers", "people", compare=True),
        Panel("organic_reach", "Organic reach per post", "% of followers", scale=100, flow=True),
        Panel("engagement_per_post", "Engagement per post (7-day mean)", "engagements",
              smooth=7, flow=True, compare=True),
        Panel("weekly_engaged_share", "Followers engaged this week", "% of followers",
              scale=100, flow=True),
        Panel("mean_fatigue", "Fatigue of followers", "% (0 none … 100 saturated)",
              scale=100, top=100, flow=True),
        Panel("net_sentiment", "Net sentiment", "% positive − % negative", scale=100,
              floor=False, flow=True, compare=True),
    ), export="audience.png", mesa="Audience", story=True),
    Figure("service", "Customer service", (
        Panel("complaints_new", "New public complaints (7-day mean)", "per day", smooth=7, flow=True,
              compare=True),
        Panel("backlog", "Customer-service backlog", "people waiting"),
        Panel("negative_exposures", "People seeing complaints", "per day", flow=True),
        Panel("crisis_level", "Crisis level", "0 none … 3 severe", step=True, top=3),
    ), export="customer_service.png", mesa="Customer service & crises", columns=2,
       crisis_bands=True, story=True),
    Figure("adoption", "Adoption by department", tuple(
        Panel(f"adoption_{kind}", kind, "% of staff", scale=100, top=100)
        for kind in DEPARTMENTS), export="adoption_{brand}.png", per="department", columns=1,
        mesa="Phases & adoption"),
    # The Network tab's pictures: not time series, so no panels.
    Figure("network", "Customer network", (), tab="network", export="network_{brand}.png",
           kind="network"),
    Figure("organisation", "Organisation", (), tab="network", export="organisation_{brand}.png",
           kind="organisation"),
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
        if f.mesa:
            pages.setdefault(f.mesa, []).append(f)
    return pages


def compare_panels() -> tuple[Panel, ...]:
    """The panels the Compare tab overlays, in registry order."""
    return tuple(p for f in FIGURES for p in f.panels if p.compare)


def as_tuples(panels) -> tuple[tuple[str, str, str, int], ...]:
    """The (column, title, y label, smoothing) panels that :mod:`simulation.plots` draws."""
    return tuple((p.column, p.title, p.unit, p.smooth) for p in panels)
