"""pyabc's MappingSampler on socbiz's executors, one seeded task per particle slot.

Kept apart from :mod:`.calibration` because importing pyabc costs several seconds of CPU:
only a calibration pays it (once per worker process). The class must live at module level so
that workers unpickle it by reference.
"""

from __future__ import annotations

import functools
import random

import numpy as np
from pyabc.sampler import MappingSampler

from . import particles


class SeededMappingSampler(MappingSampler):
    """pyabc's MappingSampler on our executor, one seeded task per particle slot."""

    def __init__(self, map_, seed: int):
        super().__init__(map_=map_)
        self.seed = seed

    def map_function(self, simulate_one, task):  # runs on a worker
        block, slot, seed = task
        simulate_one = self.unpickle(simulate_one)
        state = np.random.SeedSequence([seed, block, slot]).generate_state(2)
        np.random.seed(state)  # noqa: NPY002 (pyabc draws from numpy's global generator)
        random.seed(int(state[0]))
        particles.start(block, slot)
        sample = self._create_empty_sample()
        n = 0
        while True:
            particle = simulate_one()
            n += 1
            sample.append(particle)
            if particle.accepted:
                return sample, n

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf,
                                all_accepted=False, ana_vars=None):
        # generation t -> block 2(t + 2) + 1 for the prior sample that calibrates epsilon
        block = 2 * (int(t) + 2) + (1 if all_accepted else 0)
        fn = functools.partial(self.map_function, self.pickle(simulate_one))
        results = list(self.map_(fn, [(block, slot, self.seed) for slot in range(n)]))
        samples, evaluations = zip(*results, strict=True)
        self.nr_evaluations_ = int(sum(evaluations))
        sample = self._create_empty_sample()
        for part in samples:
            sample += part
        return sample
