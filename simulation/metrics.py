"""Measurement: the phase classifier and the reporters, all plain functions.

The phase classifier, the help-desk flag and the maturity index are in
:mod:`simulation.classifier` (re-exported here).

Reporters take a brand (brand reporters, one row per day and brand) or the model (market-wide
reporters) and return a plain number; the DataCollector, the CLI outputs and the dashboard all
use these same functions.

A brand reporter may carry a ``batch``: the same reporter for a list of brands at once
(``reporter.batch(brands)`` is ``[reporter(b) for b in brands]``, value for value;
``tests/test_registries.py`` checks it), reading the workforce table or the market's day once
for all brands. :class:`Collector`, the model's DataCollector, calls it once a day instead of
once per brand and stores the rows exactly as Mesa's DataCollector does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .config import DEPARTMENTS
from .i18n import _

if TYPE_CHECKING:
    from .agents.brands import Brand

from .classifier import PHASE_NAMES, classify_phase, is_help_desk, maturity_index  # noqa: F401

# --------------------------------------------------------------------------------------------
# Brand reporters (one value per brand and day)


def _with_batch(batch: Callable[[Sequence[Brand]], list]):
    """Give a brand reporter its ``batch``: the reporter for a list of brands at once."""
    def attach(reporter):
        reporter.batch = batch
        return reporter
    return attach


def _adoption_table(brands: Sequence[Brand]) -> np.ndarray:
    """The adoption of each department (columns) of each of ``brands`` (rows)."""
    adoption = brands[0].workforce.adoption
    rows = [b.index for b in brands]
    return adoption if rows == list(range(len(adoption))) else adoption[rows]


def brand_name(brand: Brand) -> str:
    return brand.name


def phase(brand: Brand) -> int:
    return int(brand.phase)


# The mean of each row as numpy's mean of one brand's list: its sum / the number of values.
@_with_batch(lambda brands: (np.add.reduce(_adoption_table(brands), axis=1)
                             / len(DEPARTMENTS)).tolist() if brands else [])
def maturity(brand: Brand) -> float:
    return maturity_index(brand)


def sponsorship(brand: Brand) -> float:
    return float(brand.sponsorship)


def help_desk(brand: Brand) -> bool:
    return bool(brand.help_desk)


def proactive_share(brand: Brand) -> float:
    return float(brand.proactive_share)


def capacity_use(brand: Brand) -> float:
    """Share of customer-service capacity spent answering."""
    return 1.0 - float(brand.proactive_share)


def visible_results(brand: Brand) -> float:
    return float(brand.results)


def posts(brand: Brand) -> float:
    return brand.output.posts if brand.output else 0.0


def push_share(brand: Brand) -> float:
    return float(brand.output.push_share) if brand.output else 0.0


def incident_cut(brand: Brand) -> float:
    """Share of incidents prevented by quality and R&D acting on insights from listening."""
    return float(brand.incident_cut)


def listening_coverage(brand: Brand) -> float:
    return float(brand.listening_coverage)


def crm_integration(brand: Brand) -> float:
    return float(brand.crm_integration)


def cost(brand: Brand) -> float:
    return float(brand.cost_today)


def cumulative_cost(brand: Brand) -> float:
    return float(brand.cumulative_cost)


def roi(brand: Brand) -> float:
    """(Social revenue - cost) / cost, cumulated since day 0."""
    if brand.cumulative_cost <= 0:
        return 0.0
    return float((brand.cumulative_social_revenue - brand.cumulative_cost)
                 / brand.cumulative_cost)


def backlog(brand: Brand) -> float:
    """Requests waiting for customer service, in real people: the simulated queue times
    market_size / n_customers (one unit everywhere: cards, charts, event log)."""
    return float(brand.today.backlog * brand.model.config.market.people_per_customer)


def _total_impressions(brand: Brand):
    return sum(b.today.impressions for b in brand.model.brands.values())


def _shares_of_voice(brands: Sequence[Brand]) -> list[float]:
    total = _total_impressions(brands[0]) if brands else 0.0
    return [float(b.today.impressions / total) if total > 0 else 0.0 for b in brands]


@_with_batch(_shares_of_voice)
def share_of_voice(brand: Brand) -> float:
    """The brand's share of all impressions of the scenario's brands today."""
    total = _total_impressions(brand)
    return float(brand.today.impressions / total) if total > 0 else 0.0


def _plain(value):
    return value if isinstance(value, int) else float(value)  # bool is an int


def _from_market(field: str):
    @_with_batch(lambda brands: [_plain(getattr(b.today, field)) for b in brands])
    def reporter(brand: Brand) -> float:
        return _plain(getattr(brand.today, field))

    reporter.__name__ = field
    reporter.__doc__ = f"The market's {field.replace('_', ' ')} for the brand today."
    return reporter


def _adoption_of(kind: str):
    column = DEPARTMENTS.index(kind)

    @_with_batch(lambda brands: _adoption_table(brands)[:, column].tolist() if brands else [])
    def reporter(brand: Brand) -> float:
        return float(brand.departments[kind].adoption)

    reporter.__name__ = f"adoption_{kind}"
    reporter.__doc__ = f"Adoption of social media by {kind.replace('_', ' ')}."
    return reporter


MARKET_FIELDS = (
    "followers", "new_follows", "unfollows", "organic_reach", "impressions", "engagements",
    "engagement_per_post", "weekly_engaged_share", "viral_views", "mean_fatigue",
    "net_sentiment", "customers", "sales", "social_sales", "incidents", "complaints_new",
    "complaints_open", "complaints_answered", "median_response_days", "questions_new",
    "negative_exposures", "crisis_level",
)

BRAND_REPORTERS = {
    "brand": brand_name,
    "phase": phase,
    "maturity": maturity,
    **{f"adoption_{kind}": _adoption_of(kind) for kind in DEPARTMENTS},
    "sponsorship": sponsorship,
    "visible_results": visible_results,
    "help_desk": help_desk,
    "proactive_share": proactive_share,
    "capacity_use": capacity_use,
    "posts": posts,
    "push_share": push_share,
    "listening_coverage": listening_coverage,
    "crm_integration": crm_integration,
    "incident_cut": incident_cut,
    **{name: _from_market(name) for name in MARKET_FIELDS},
    "backlog": backlog,
    "share_of_voice": share_of_voice,
    "cost": cost,
    "cumulative_cost": cumulative_cost,
    "roi": roi,
}


# --------------------------------------------------------------------------------------------
# Market-wide reporters (one value per day)


def ever_engaged_share(model) -> float:
    """Share of all customers who have engaged with any brand at least once so far."""
    # count_nonzero / n is the same float as a bool mean, ten times faster (issue 16).
    flags = model.market.ever_engaged
    return float(np.count_nonzero(flags) / len(flags)) if len(flags) else 0.0


def mean_fatigue_engaging(model) -> float:
    m = model.market
    return float(m.fatigue[: m.n_engaging].mean()) if m.n_engaging else 0.0


def complaints_total(model) -> int:
    return int(model.market.complaints.table.n)


MODEL_REPORTERS = {
    "ever_engaged_share": ever_engaged_share,
    "mean_fatigue_engaging": mean_fatigue_engaging,
    "complaints_total": complaints_total,
}


def brand_reporters(names: Iterable[str] | None = None) -> dict[str, Callable]:
    """The brand reporters a run collects: all of them, or those in ``names`` and ``brand``.

    Market-wide names are accepted and change nothing: the market-wide reporters are always
    collected (three reads a day). A sweep's run collects only what its experiment keeps: the
    DataCollector was about 8% of the default scenario's day with every column. Unknown names
    raise ValueError, naming them and the known ones."""
    if names is None:
        return dict(BRAND_REPORTERS)
    wanted = set(names)
    unknown = sorted(wanted - set(BRAND_REPORTERS) - set(MODEL_REPORTERS))
    if unknown:
        raise ValueError(_("unknown reporters {names}: known are {known}").format(
            names=", ".join(unknown), known=", ".join([*BRAND_REPORTERS, *MODEL_REPORTERS])))
    return {name: reporter for name, reporter in BRAND_REPORTERS.items()
            if name == "brand" or name in wanted}



# --------------------------------------------------------------------------------------------
# The DataCollector

_IMMUTABLE = (str, int, bool, float, tuple)  # what Mesa stores without a deep copy


class Collector(mesa.DataCollector):
    """Mesa's DataCollector, recording the brands' reporters column by column: a reporter with
    a ``batch`` is called once a day for all brands, the others once per brand. Each day's rows
    are what Mesa stores, ``(time, agent id, *values)`` per brand (mutable values deep-copied),
    so Mesa's data frames and :func:`simulation.views.records_since` read them unchanged."""

    def _record_agenttype(self, model, agent_type):
        agents = list(model.agents_by_type[agent_type]) if agent_type in model.agent_types \
            else []
        if not agents:
            return super()._record_agenttype(model, agent_type)
        columns = [[model.time] * len(agents), [agent.unique_id for agent in agents]]
        for reporter in self.agenttype_reporters[agent_type].values():
            batch = getattr(reporter, "batch", None)
            if batch is not None:  # plain numbers (tests/test_registries.py)
                columns.append(batch(agents))
            else:
                columns.append([v if type(v) in _IMMUTABLE or isinstance(v, _IMMUTABLE)
                                else deepcopy(v) for v in map(reporter, agents)])
        return zip(*columns, strict=True)
