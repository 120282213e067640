"""Docking: the vectorised market and the per-agent Mesa reference agree in distribution.

The full statistical comparison (more seeds, customers and days) is ``benchmarks/dock.py``; this
is its fast version (about 30 s on two cores). The tolerances and their reasons are stated in
``benchmarks/dock.py`` (``Tolerances``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.dock import dock  # noqa: E402
from benchmarks.peragent import Customer, PerAgentMarket  # noqa: E402
from simulation.model import SocialBusinessModel  # noqa: E402

SEEDS = 8
CUSTOMERS = 2000
DAYS = 120


def small_model(rng: int = 3, **overrides) -> SocialBusinessModel:
    return SocialBusinessModel("baseline", rng=rng, market_factory=PerAgentMarket,
                               overrides={"market.n_customers": 400, **overrides})


def test_per_agent_market_has_one_mesa_agent_per_customer():
    model = small_model()
    market = model.market
    customers = market.population.customers
    assert len(customers) == market.n == 400
    assert all(isinstance(c, Customer) for c in customers)
    assert sum(c.engaging for c in customers) == market.n_engaging
    # The organisation side's agents are not mixed with the customers.
    assert not any(isinstance(a, Customer) for a in model.agents)


def test_both_markets_provide_the_market_protocol():
    from simulation.exchange import MarketProtocol

    vectorised = SocialBusinessModel("baseline", rng=3, overrides={"market.n_customers": 400})
    assert isinstance(vectorised.market, MarketProtocol)
    assert isinstance(small_model().market, MarketProtocol)
    # A market lacking one of the members is refused by the check.
    assert not isinstance(object(), MarketProtocol)


def test_exogenous_crisis_notes_travel_in_the_market_day():
    for factory in (None, PerAgentMarket):
        model = SocialBusinessModel("baseline", rng=5, market_factory=factory,
                                    overrides={"market.n_customers": 400,
                                               "word_of_mouth.exogenous_crises_per_year": 100})
        model.run(40)  # about 8 injected crises expected over the three brands
        injected = model.log_book.to_frame().query("kind == 'crisis_injected'")
        assert len(injected) >= 1, factory
        assert not hasattr(model.market, "pending_notes")


def test_per_agent_market_serves_the_model_reporters_and_outputs():
    model = small_model()
    model.apply({"kind": "crisis", "brand": "acme", "cause": "employee_video"})
    model.run(10)
    frame = model.brand_frame()
    assert len(frame) == 11 * len(model.brands)
    assert frame["negative_exposures"].sum() > 0
    assert model.market.complaints.table.n >= 1
    assert not model.market.complaints.table.to_frame().empty
    assert len(model.market.sample_frame()) == 11 * min(400, model.config.market.sample_size)
    record = model.customers[0]
    assert set(record.brands) == set(model.brands)


def test_per_agent_market_same_seed_same_trajectory():
    a = small_model(rng=5)
    b = small_model(rng=5)
    a.run(15)
    b.run(15)
    columns = ["followers", "engagements", "customers", "net_sentiment", "negative_exposures"]
    np.testing.assert_array_equal(a.brand_frame()[columns].to_numpy(),
                                  b.brand_frame()[columns].to_numpy())


def test_per_agent_market_reads_its_constants_from_the_config():
    model = small_model(**{"behaviour.engagement_scale": 0.0,
                           "market.other_brand_posts_per_day": 0.0})
    model.run(10)
    assert model.brand_frame()["engagements"].sum() == 0
    assert not model.market.ever_engaged.any()


@pytest.mark.parametrize("variant", ["baseline", "stress"])
def test_vectorised_and_per_agent_trajectories_agree(variant):
    result = dock(variant, SEEDS, CUSTOMERS, DAYS, jobs=2)
    assert result.ok, (f"{variant}: {', '.join(result.failures())} disagree\n"
                       f"{result.series.to_string(index=False)}\n"
                       f"{result.cascades.to_string(index=False)}")
