"""Which ABC particle a worker is drawing: set by the sampler, read by the model.

pyabc's ``simulate_one`` calls the model with the parameters only; the sampler
(:mod:`.calibration_sampler`) records the generation block and particle slot here before each
slot's loop, and the model (:class:`.calibration.ParticleModel`) counts the attempts, so that
every attempt has its own seed and run id. One per thread (a Dask worker may run tasks in
threads).
"""

from __future__ import annotations

import threading

import numpy as np

CURRENT = threading.local()


def start(block: int, slot: int) -> None:
    CURRENT.block, CURRENT.slot, CURRENT.attempt = block, slot, 0


def next_attempt() -> tuple[int, int, int]:
    """(block, slot, attempt) of the model call now starting."""
    block, slot = getattr(CURRENT, "block", 1), getattr(CURRENT, "slot", 0)
    attempt = getattr(CURRENT, "attempt", 0)
    CURRENT.attempt = attempt + 1
    return block, slot, attempt


def particle_seed(seed: int, block: int, slot: int, attempt: int) -> int:
    state = np.random.SeedSequence([seed, block, slot, attempt]).generate_state(2, np.uint64)
    return int(state[0] >> np.uint64(1))
