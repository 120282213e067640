"""Adding a chart touches one file: a throwaway chart declared here, alone.

The chart (a ``Figure`` of reporters that already exist: money spent and social revenue) is
added to :data:`dashboards.registry.FIGURES` by this file only, as a contributor would add it to
the registry; the test then checks that every view derived it: the Live tab draws it in the
browser, the Export tab's zip has its PNG file, ``/mesa`` shows its panels on the page it names,
and every check of the registry walk passes on it. A chart naming a column no reporter writes
fails the walk, which is how a chart added in one place only is caught.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import solara

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_registries import WALKS, _chart_session  # noqa: E402
from widget_support import live_charts  # noqa: E402

from dashboards import mesa_view, registry  # noqa: E402
from dashboards.registry import Figure, Panel  # noqa: E402

MONEY = Figure("money", "Money", (
    Panel("cumulative_cost", "Money spent since day 0", "€"),
    Panel("social_sales", "Sales through social media", "per day", flow=True),
), export="money.png", mesa="Money", columns=2)


@pytest.fixture
def with_chart(monkeypatch):
    def add(figure: Figure) -> Figure:
        monkeypatch.setattr(registry, "FIGURES", (*registry.FIGURES, figure))
        monkeypatch.setattr(registry, "BY_ID", {**registry.BY_ID, figure.id: figure})
        return figure
    return add


def test_a_chart_declared_in_the_registry_alone_appears_everywhere(with_chart):
    from dashboards.components.export import chart_pngs
    from dashboards.components.page import Dashboard

    figure = with_chart(MONEY)
    session = _chart_session()

    # the Live tab: one browser chart more, with a line per brand for each panel
    _box, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]), handle_error=False)
    shown = {chart.spec["id"]: chart for chart in live_charts(rc)}
    assert "money" in shown
    assert len(shown["money"].spec["panels"]) == 2
    rc.close()

    # the Export tab's zip
    assert chart_pngs(session)["money.png"].startswith(b"\x89PNG")

    # /mesa: a page of its own, one tile per panel
    pages = registry.mesa_pages()
    assert list(pages)[-1] == "Money"
    names = {c.__name__ for c, page in mesa_view.components() if page == len(pages) - 1}
    assert names == {"Panel_cumulative_cost", "Panel_social_sales"}

    # and every check of the registry walk
    for check in WALKS["charts"].checks.values():
        check(figure.id, figure)


def test_a_chart_of_a_column_nobody_reports_fails_the_walk(with_chart):
    wrong = with_chart(dataclasses.replace(
        MONEY, id="typo", export="typo.png",
        panels=(Panel("cumulative_costs", "Money spent since day 0", "€"),)))
    check = WALKS["charts"].checks["columns_reported"]
    with pytest.raises(AssertionError, match="cumulative_costs.*not a reported column"):
        check(wrong.id, wrong)
