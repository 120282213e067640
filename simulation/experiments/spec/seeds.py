"""Run seeds (house rule: seeds are data).

Run seeds come from ``numpy.random.SeedSequence(base_seed)``. With common random numbers (the
default) replicate r of every design point uses the same seed,
``SeedSequence(base_seed).spawn(replicates)[r]``, so that design points are compared under the
same draws; otherwise design point p's replicate r uses ``SeedSequence(base_seed).spawn(n_points)
[p].spawn(replicates)[r]``. Either way the integer seed (63 bits of ``generate_state``) is stored
with the run, and the run id is ``point * replicates + replicate``: neither depends on the
executor, the number of workers or the order in which runs finish.
"""

from __future__ import annotations

import numpy as np

SEED_BITS_SHIFT = 1  # 64-bit state >> 1: a seed that fits a signed 64-bit column


def seed_of(base_seed: int, point: int, replicate: int, common: bool) -> int:
    """The integer seed of one run (see the module docstring)."""
    key = (replicate,) if common else (point, replicate)
    state = np.random.SeedSequence(base_seed, spawn_key=key).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(SEED_BITS_SHIFT))
