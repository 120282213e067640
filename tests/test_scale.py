"""Results do not depend on how many customers are simulated (ODD section 2, scales).

One simulated customer stands for market_size / n_customers real people, so daily counts of
requests and sales are lumpy at small populations; the organisation reads them through moving
averages before any non-linear step, which makes its state the same at every size. This fast
check runs the help-desk trap (where customer service's load decides the story) at 10,000 and
40,000 customers, same seeds, and compares per-capita market metrics and organisation metrics
of acme.

Tolerances, fixed before looking at results: the difference between the two sizes' means over
the seeds must be within 4 standard errors of that difference (the seeds' spread, from market
and organisation noise) plus a materiality margin (0.05 for shares such as the proactive share
and the help-desk days, 0.02 for adoption, 10% for per-capita counts). The bias this guards
against was 0.68 in proactive share between 10k and 100k customers.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation import SocialBusinessModel

SIZES = (10_000, 40_000)
SEEDS = (1, 2, 3)
DAYS = 300


def acme_metrics(n_customers: int, seed: int) -> dict[str, float]:
    model = SocialBusinessModel("help-desk-trap", rng=seed,
                                overrides={"market.n_customers": n_customers,
                                           "horizon_days": DAYS})
    model.run()
    frame = model.brand_frame()
    acme = frame[frame.brand == "acme"]
    late = acme[acme.day > DAYS - 100]
    return {
        "proactive_share": late.proactive_share.mean(),
        "help_desk_days": late.help_desk.mean(),
        "adoption_customer_service": acme.adoption_customer_service.iloc[-1],
        "maturity": acme.maturity.iloc[-1],
        "followers_per_capita": late.followers.mean() / n_customers,
        "backlog_people": late.backlog.mean(),  # already in real people
    }


@pytest.fixture(scope="module")
def by_size():
    return {n: [acme_metrics(n, seed) for seed in SEEDS] for n in SIZES}


MARGINS = {"proactive_share": 0.05, "help_desk_days": 0.05,
           "adoption_customer_service": 0.02, "maturity": 0.02}
RELATIVE = {"followers_per_capita": 0.10, "backlog_people": 0.10}


@pytest.mark.parametrize("metric", [*MARGINS, *RELATIVE])
def test_small_and_large_populations_give_the_same_result(by_size, metric):
    small = np.array([row[metric] for row in by_size[SIZES[0]]])
    large = np.array([row[metric] for row in by_size[SIZES[1]]])
    se = np.sqrt(small.var(ddof=1) / len(small) + large.var(ddof=1) / len(large))
    margin = MARGINS.get(metric, RELATIVE.get(metric, 0) * abs(large.mean()))
    assert abs(small.mean() - large.mean()) <= 4 * se + margin, (
        f"{metric}: {small.mean():.4f} at {SIZES[0]:,} vs {large.mean():.4f} at {SIZES[1]:,}")
