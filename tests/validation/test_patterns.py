"""Every pattern of the registry over 20 seeds (slow: `make validate` runs the same through
`socbiz validate`).

Thresholds, their justification and the statistic are declared with each pattern
(simulation/validation/patterns.py); this file runs them as tests.
"""

import pytest

from simulation.validation import make_pool, run_pattern
from simulation.validation.patterns import PATTERNS

pytestmark = pytest.mark.validation
SEEDS = list(range(1, 21))


@pytest.fixture(scope="module")
def pool():
    with make_pool(2) as executor:
        yield executor


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.id for p in PATTERNS])
def test_pattern_is_reproduced(pattern, pool):
    result = run_pattern(pattern, SEEDS, pool)
    assert result.outcome.passed, (f"{pattern.id} {pattern.title}: {result.outcome.statement}"
                                   f" (needs: {pattern.threshold})")
