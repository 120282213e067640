"""The twelve patterns of the domain brief, each over 20 seeds (slow: `make validate`).

Thresholds, effect sizes and the reasons for them are written in each pattern
(simulation/validation/patterns.py); this file runs them as tests.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from simulation.validation import run_pattern
from simulation.validation.patterns import PATTERNS

pytestmark = pytest.mark.validation
SEEDS = list(range(1, 21))


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as executor:
        yield executor


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"pattern{p.number:02d}" for p in PATTERNS])
def test_pattern_is_reproduced(pattern, pool):
    result = run_pattern(pattern, SEEDS, pool)
    assert result.outcome.passed, f"{pattern.title}: {result.outcome.statement} (needs: {result.outcome.criterion})"
