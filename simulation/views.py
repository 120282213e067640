"""Read-only views of a model: what everything outside the model (dashboard, exports, workshop,
plots) reads, instead of the model's agents and arrays.

Rules:
- A view is a frozen dataclass built from the model at one moment, by the functions of this
  module only. It holds copies: numbers, tuples, read-only numpy arrays and fresh data frames,
  never a reference to an agent, the market or a mutable array of the model. Reading a view
  cannot change the run, and a view does not change when the run goes on.
- Names shown to users come from :mod:`simulation.vocabulary` (each department view carries its
  label), never from internal ids made readable.
- Building a view does not draw from the model's random streams: the network sample has its own
  generator seeded from the model's seed, so looking at a run does not change it.
- Whoever shares the model with another thread (the dashboard's play loop) holds its lock while
  calling these functions; the views themselves can then be used anywhere.

The views:
- :class:`OrganisationView` (:func:`organisation`): per brand (:class:`BrandView`), the phase,
  the help-desk flag, sponsorship, listening, the customer-service backlog, money, agencies, the
  strategy and the internal network, and per department (:class:`DepartmentView`) adoption,
  trained share, skill, capacity, awareness, resistance, headcount;
- :class:`NetworkSample` (:func:`network_sample`): a connected snowball sample of customers with
  a fixed layout;
- :class:`CustomerStates` (:func:`customer_states`): for each brand, the state of each sampled
  customer (codes into :data:`CUSTOMER_STATES`);
- :func:`series`: the tidy daily series (one row per day and brand); :func:`event_log`: the event
  log, as rows or a frame; :func:`records_since` (:class:`DailyRecords`): only the days and
  events recorded since a reader last looked;
- :class:`RunView` (:func:`run_view`): all of it, with the run's metadata (:func:`metadata`:
  scenario, seed, config hash, days simulated, status, wall time measured by the model,
  versions).
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .events import EventLog, Intervention, LoggedEvent
from .i18n import _l
from .metrics import PHASE_NAMES
from .vocabulary import DEPARTMENT_TERMS, DEPARTMENTS, Term

if TYPE_CHECKING:
    from .config import ScenarioConfig
    from .model import SocialBusinessModel


def _frozen(array: Any, dtype: Any = None) -> np.ndarray:
    out = np.array(array, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------------
# The organisation


@dataclass(frozen=True)
class DepartmentView:
    id: str
    label: str
    adoption: float
    adopting: bool
    trained_share: float
    skill: float
    capacity_hours: float
    awareness: float
    resistance: float
    headcount: int


@dataclass(frozen=True)
class BrandView:
    name: str
    index: int
    phase: int
    phase_label: str
    help_desk: bool
    maturity: float
    sponsorship: float
    commitment: float
    results: float
    listening_coverage: float
    crm_integration: float
    integration: float
    backlog: float  # moving average of the customer-service backlog (simulated requests)
    proactive_share: float
    answer_capacity: float  # simulated requests a day customer service can answer
    posts_per_day: float
    push_share: float
    mix: Mapping[str, float] | str
    agencies: tuple[str, ...]
    training_budget_left: float
    spent_this_year: float
    budget_exhausted: bool
    cumulative_cost: float
    cumulative_social_revenue: float
    organisational_model: str
    hub_department: str
    departments: Mapping[str, DepartmentView]
    peer_weights: np.ndarray  # (9, 9) in DEPARTMENTS order, read-only

    @property
    def adoption(self) -> np.ndarray:
        """Adoption of each department, in DEPARTMENTS order."""
        return _frozen([self.departments[d].adoption for d in DEPARTMENTS], float)

    @property
    def trained(self) -> np.ndarray:
        """Trained share of each department, in DEPARTMENTS order."""
        return _frozen([self.departments[d].trained_share for d in DEPARTMENTS], float)


@dataclass(frozen=True)
class OrganisationView:
    day: int
    brands: Mapping[str, BrandView]

    def __getitem__(self, brand: str) -> BrandView:
        return self.brands[brand]


def _department_view(dep) -> DepartmentView:
    term = DEPARTMENT_TERMS[dep.kind]
    return DepartmentView(
        id=dep.kind, label=term.label, adoption=float(dep.adoption),
        adopting=bool(dep.adopting), trained_share=float(dep.trained_share),
        skill=float(dep.skill), capacity_hours=float(dep.capacity_hours),
        awareness=float(dep.awareness), resistance=float(dep.resistance),
        headcount=int(dep.headcount))


def _brand_view(brand) -> BrandView:
    mix = brand.mix
    output = brand.output
    return BrandView(
        name=brand.name, index=int(brand.index), phase=int(brand.phase),
        phase_label=PHASE_NAMES[int(brand.phase)], help_desk=bool(brand.help_desk),
        maturity=float(brand.maturity), sponsorship=float(brand.sponsorship),
        commitment=float(brand.commitment), results=float(brand.results),
        listening_coverage=float(brand.listening_coverage),
        crm_integration=float(brand.crm_integration), integration=float(brand.integration),
        backlog=float(brand.mean_backlog), proactive_share=float(brand.proactive_share),
        answer_capacity=float(output.answer_capacity) if output is not None else 0.0,
        posts_per_day=float(brand.posts_per_day), push_share=float(brand.push_share),
        mix=mix if isinstance(mix, str) else MappingProxyType(dict(mix)),
        agencies=tuple(a.name for a in brand.agencies),
        training_budget_left=float(brand.training_budget_left),
        spent_this_year=float(brand.spent_this_year),
        budget_exhausted=bool(brand.budget_exhausted),
        cumulative_cost=float(brand.cumulative_cost),
        cumulative_social_revenue=float(brand.cumulative_social_revenue),
        organisational_model=brand.config.organisational_model,
        hub_department=brand.config.hub_department,
        departments=MappingProxyType({d: _department_view(brand.departments[d])
                                      for d in DEPARTMENTS}),
        peer_weights=_frozen(brand.peer_weights, float),
    )


def organisation(model: SocialBusinessModel) -> OrganisationView:
    """The organisation of every brand, now."""
    return OrganisationView(
        day=model.time_day,
        brands=MappingProxyType({name: _brand_view(b) for name, b in model.brands.items()}))


# --------------------------------------------------------------------------------------------
# The customers


@dataclass(frozen=True)
class NetworkSample:
    nodes: np.ndarray  # customer ids
    edges: np.ndarray  # (k, 2) positions into nodes
    positions: np.ndarray  # (n, 2)
    degree: np.ndarray  # friends in the whole network
    fully_mixed: bool


def network_sample(model: SocialBusinessModel, size: int = 300,
                   seed: int | None = None) -> NetworkSample:
    """Snowball sample: breadth-first from a random engaging customer, at most 6 random friends
    per customer, until ``size`` customers; the layout is a seeded spring layout of the induced
    subgraph. ``seed`` defaults to the model's seed; the model's own streams are not used."""
    import networkx

    market = model.market
    network = market.network
    rng = np.random.default_rng([model.seed if seed is None else seed, 7])
    n = market.n
    size = min(size, n)
    if network.is_fully_mixed:
        nodes = np.sort(rng.choice(n, size=size, replace=False))
        graph = networkx.Graph()
        graph.add_nodes_from(nodes.tolist())
    else:
        start_pool = np.arange(market.n_engaging or n)
        chosen: dict[int, None] = {}
        frontier: list[int] = []
        while len(chosen) < size:
            start = int(rng.choice(start_pool))
            if start in chosen:
                start = int(rng.integers(n))
                if start in chosen:
                    continue
            chosen[start] = None
            frontier.append(start)
            while frontier and len(chosen) < size:
                node = frontier.pop(0)
                friends = network.neighbours(node)
                if len(friends) > 6:
                    friends = rng.choice(friends, size=6, replace=False)
                for friend in friends.tolist():
                    if friend not in chosen and len(chosen) < size:
                        chosen[friend] = None
                        frontier.append(friend)
        nodes = np.array(sorted(chosen), dtype=np.int64)
        graph = network.sample_subgraph(nodes)
    layout = networkx.spring_layout(graph, seed=int(rng.integers(2**31)), iterations=60)
    index = {int(node): i for i, node in enumerate(nodes)}
    positions = np.array([layout[int(node)] for node in nodes], dtype=float)
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
    return NetworkSample(
        nodes=_frozen(nodes, np.int64),
        edges=_frozen(edges.reshape(-1, 2), np.int64),
        positions=_frozen(positions.reshape(-1, 2), float),
        degree=_frozen(np.asarray(network.degree)[nodes]),
        fully_mixed=bool(network.is_fully_mixed),
    )


# The states of a customer toward one brand, in drawing order (later ones drawn on top). The
# first that applies wins, from the last: open complaint, negative sentiment, follower (fatigued
# or not), engaging, not engaging.
CUSTOMER_STATES: tuple[Term, ...] = (
    Term("not_engaging", _l("not engaging with brands")),
    Term("engaging", _l("engaging, not following")),
    Term("follower", _l("follower")),
    Term("fatigued_follower", _l("follower, fatigued")),
    Term("negative", _l("negative sentiment"), _l("sentiment at or below NEGATIVE")),
    Term("open_complaint", _l("open complaint"),
         _l("a public complaint spreading or waiting for an answer")),
)
FATIGUED = 0.5  # fatigue from which a follower counts as fatigued
NEGATIVE = -0.2  # sentiment at or below which a customer counts as negative


@dataclass(frozen=True)
class CustomerStates:
    nodes: np.ndarray  # customer ids
    codes: Mapping[str, np.ndarray]  # brand -> index into CUSTOMER_STATES, one per node

    def __getitem__(self, brand: str) -> np.ndarray:
        return self.codes[brand]


def customer_states(model: SocialBusinessModel, nodes: np.ndarray) -> CustomerStates:
    """For each brand, the state (index into CUSTOMER_STATES) of each customer of ``nodes``."""
    records = [model.customers[int(i)] for i in nodes]
    codes = {}
    for name in model.brands:
        out = np.zeros(len(records), dtype=np.int8)
        for j, record in enumerate(records):
            about = record.brands[name]
            if about["open_complaint"]:
                out[j] = 5
            elif about["sentiment"] <= NEGATIVE:
                out[j] = 4
            elif about["following"]:
                out[j] = 3 if record.fatigue >= FATIGUED else 2
            elif record.engaging:
                out[j] = 1
        out.flags.writeable = False
        codes[name] = out
    return CustomerStates(_frozen(nodes, np.int64), MappingProxyType(codes))


# --------------------------------------------------------------------------------------------
# Series, events, metadata


def series(model: SocialBusinessModel) -> pd.DataFrame:
    """The tidy daily series: one row per day and brand, every reporter (a fresh frame)."""
    return model.brand_frame()


@dataclass(frozen=True)
class DailyRecords:
    """The days (and events) a reader has not seen yet, for readers that follow a run as it
    goes (the dashboard) and so must not rebuild every day's table at every frame."""

    brand_columns: tuple[str, ...]  # the brands' reporters, in the order of each row
    model_columns: tuple[str, ...]  # the market's reporters
    brand_rows: tuple[tuple[tuple, ...], ...]  # per new day: (step, agent id, *values) per brand
    model_values: Mapping[str, tuple]  # per market reporter: its values on the new days
    events: tuple[LoggedEvent, ...]  # the new events


def reporter_columns(model: SocialBusinessModel) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the brands' and of the market's daily reporters."""
    collector = model.datacollector
    brand_type = next(iter(collector.agenttype_reporters))
    return tuple(collector.agenttype_reporters[brand_type]), tuple(collector.model_vars)


def records_since(model: SocialBusinessModel, days_known: int,
                  events_known: int) -> DailyRecords:
    """What the model recorded after the first ``days_known`` days and ``events_known``
    events (the DataCollector's rows are tuples, and a past day's never change)."""
    import itertools

    collector = model.datacollector
    brand_type = next(iter(collector.agenttype_reporters))
    brand_columns, model_columns = reporter_columns(model)
    rows = tuple(tuple(day.get(brand_type, ()))
                 for day in itertools.islice(collector._agenttype_records.values(),
                                             days_known, None))
    values = MappingProxyType({name: tuple(collector.model_vars[name][days_known:])
                               for name in model_columns})
    return DailyRecords(brand_columns, model_columns, rows, values,
                        tuple(model.log_book.events[events_known:]))


def event_log(model: SocialBusinessModel) -> tuple[LoggedEvent, ...]:
    """The event log so far, oldest first (its rows are frozen)."""
    return tuple(model.log_book)


def event_frame(model: SocialBusinessModel) -> pd.DataFrame:
    return model.log_book.to_frame()


def versions() -> dict[str, str]:
    import mesa

    from . import __version__

    return {"socbiz": __version__, "mesa": mesa.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def metadata(model: SocialBusinessModel, status: str | None = None,
             wall_time_s: float | None = None) -> dict[str, Any]:
    """What a run's files say about it. ``wall_time_s`` defaults to the time the model spent
    building and stepping (measured by the model itself); ``status`` to "complete" or "at day
    d of h"."""
    if status is None:
        status = ("complete" if model.time_day >= model.config.horizon_days
                  else f"at day {model.time_day} of {model.config.horizon_days}")
    wall = model.wall_time_s if wall_time_s is None else wall_time_s
    return {
        "scenario": model.config.name,
        "title": model.config.title,
        "seed": model.seed,
        "config_hash": model.config.config_hash(),
        "days_simulated": model.time_day,
        "horizon_days": model.config.horizon_days,
        "status": status,
        "wall_time_s": round(float(wall), 3),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "interventions_applied": len(model.applied),
        "resolved_scenario": model.config.to_dict(),
    }


@dataclass(frozen=True)
class RunView:
    """Everything a reader of a run needs, copied at one moment."""

    day: int
    horizon: int
    running: bool
    seed: int
    config: ScenarioConfig
    organisation: OrganisationView
    series: pd.DataFrame
    events: tuple[LoggedEvent, ...]
    applied: tuple[Intervention, ...]
    metadata: Mapping[str, Any]
    complaints: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per complaint
    customers_sample: pd.DataFrame = field(default_factory=pd.DataFrame)  # the tracked sample
    network: NetworkSample | None = None
    customer_states: CustomerStates | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def brands(self) -> tuple[str, ...]:
        return tuple(self.config.brands)

    def event_frame(self) -> pd.DataFrame:
        return pd.DataFrame([e.as_row() for e in self.events], columns=list(EventLog.COLUMNS))


def run_view(model: SocialBusinessModel, *, network: NetworkSample | None = None,
             with_network: bool = False, status: str | None = None,
             wall_time_s: float | None = None) -> RunView:
    """A view of the whole run. The network sample is costly (a spring layout): pass one
    computed before (it does not change during a run), or ``with_network=True``.
    ``status`` and ``wall_time_s``: as :func:`metadata`."""
    if network is None and with_network:
        network = network_sample(model)
    states = customer_states(model, network.nodes) if network is not None else None
    return RunView(
        day=model.time_day, horizon=model.config.horizon_days, running=bool(model.running),
        seed=model.seed, config=model.config, organisation=organisation(model),
        series=series(model), events=event_log(model), applied=tuple(model.applied),
        metadata=MappingProxyType(metadata(model, status, wall_time_s)),
        complaints=model.market.complaints.table.to_frame(),
        customers_sample=model.market.sample_frame(), network=network,
        customer_states=states)
