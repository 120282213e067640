"""The population state: the customers' arrays and their network, shared by two rule sets.

The customer side has two sets of rules: the market's (exposure, engagement, following, buying:
:mod:`simulation.customers`) and the complaints' (incidents, word of mouth, answers, crises:
:mod:`simulation.complaints`). Both act on one population, and this is it: one object that
each receives explicitly, so neither reaches into the other's attributes. It holds state and
keeps it consistent, nothing else; the rules of when and how much it changes are the two rule
sets'.

What it holds
    per customer: engaging (customers 0 .. n_engaging - 1) and active (0 .. n_active - 1), the
    social network; per brand and customer (brand-major arrays, shape (brands, customers), so
    everything done for one brand runs over contiguous memory): following, sentiment (-1..1),
    being a customer, knowing the brand; the follower and customer counts per brand. The share
    of a customer's engaging friends who follow a brand is counted on the network when a rule
    asks for it (``following_share``).

How it changes (the operations keep the counts and the friends' tallies in step)
    ``set_customer`` and ``set_following`` (which also makes the customer know the brand),
    ``raise_sentiment`` and ``lower_sentiment`` (clipped to -1..1), ``learn`` (comes to know a brand).

Candidates for thinning: ``candidates(rows, rate_max, rng)`` draws the (customer, brand) pairs
among the first ``rows`` customers, each independently with probability ``rate_max``, by the
geometric gaps between them (cost in proportion to the candidates, not to all pairs); a rule
keeps each with probability rate / rate_max. The caller's generator is used, so the draws
stay in the caller's stream.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import kernels

if TYPE_CHECKING:
    from .network import SocialNetwork

F32 = np.float32


def gap_block_size(n: int, p: float) -> int:
    """How many geometric gaps :func:`bernoulli_positions` draws at a time: the expected
    count of positions plus five standard deviations (rarely, another block is needed)."""
    expected = n * p
    return int(expected + 5 * math.sqrt(expected) + 16)


def thinning_block(n: int, rate_max: float) -> tuple[float, int] | None:
    """For a compiled rule that thins ``n`` pairs at ``rate_max`` (simulation.kernels): the
    probability and block size :func:`bernoulli_positions` would use, (p, 0) when it draws
    nothing, or None when it would take another path (p at 1, or below 1e-9): the rule then
    runs its numpy twin."""
    if rate_max <= 0 or n == 0:
        return 0.0, 0
    p = min(1.0, rate_max)
    if p >= 1.0 or p < 1e-9:
        return None
    return float(p), gap_block_size(n, p)


def bernoulli_positions(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Sorted positions in [0, n) each kept independently with probability p (int64)."""
    if p >= 1.0:
        return np.arange(n, dtype=np.int64)
    if p < 1e-9:  # gaps this long could overflow int64; almost surely no candidate at all
        return np.sort(rng.choice(n, size=rng.binomial(n, p), replace=False)).astype(np.int64)
    size = gap_block_size(n, p)
    # (array methods and in-place arithmetic: this runs five times a day on a few hundred
    # values, where numpy's function wrappers and temporaries are most of the cost)
    positions = rng.geometric(p, size=size).cumsum()
    positions -= 1
    while positions[-1] < n:  # rare: more candidates than five standard deviations above
        more = rng.geometric(p, size=size).cumsum()
        more += positions[-1]
        positions = np.concatenate([positions, more])
    return positions[: positions.searchsorted(n)]


class Population:
    """The customers' state (module docstring): arrays, counts and the network."""

    def __init__(self, network: SocialNetwork, n_brands: int, n_engaging: int, n_active: int,
                 knows_bn: np.ndarray, customer_bn: np.ndarray, follows_bn: np.ndarray):
        self.network = network
        self.n = knows_bn.shape[1]
        self.n_brands = n_brands
        self.n_engaging = n_engaging
        self.n_active = n_active
        self.knows_bn = knows_bn
        self.customer_bn = customer_bn
        self.follows_bn = follows_bn
        self.sentiment_bn = np.zeros(knows_bn.shape, F32)
        self.follower_count = np.count_nonzero(follows_bn, axis=1).astype(np.int64)
        self.customer_count = np.count_nonzero(customer_bn, axis=1).astype(np.int64)
        # Whether the compiled passes may run, read once (simulation.kernels.use_numba_pairs).
        self.compiled = kernels.numba_enabled()
        # The day's net-sentiment counts per brand, (2, brands) int64: how many know the brand
        # and the fixed-point sum of their sentiment (kernels.known_sentiment's numbers), or
        # None. The market's compiled pass sets them as it decays sentiment; the compiled
        # rules that change sentiment or knowing later that day keep them true; these
        # operations (numpy) drop them, and the market then counts anew.
        self.known_sums: np.ndarray | None = None

    # ------------------------------------------------------------------------------------
    def candidates(self, rows: int, rate_max: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (customer, brand) pairs among the first ``rows`` customers, for thinning."""
        pairs = rows * self.n_brands
        if rate_max <= 0 or pairs == 0:
            empty = np.empty(0, np.int64)
            return empty, empty
        # Each pair is a candidate with probability rate_max, independently: the gaps between
        # consecutive candidates of such a Bernoulli process are geometric, so drawing the gaps
        # costs memory and time in proportion to the candidates, not to all pairs (a draw
        # without replacement from all pairs allocated 8 bytes per pair above a 2% rate).
        brand, customer = np.divmod(bernoulli_positions(rng, pairs, min(1.0, rate_max)), rows)
        return customer, brand

    def set_customer(self, i: np.ndarray, b: np.ndarray, value: bool) -> None:
        changed = self.customer_bn[b, i] != value
        i, b = i[changed], b[changed]
        self.customer_bn[b, i] = value
        self.customer_count += (1 if value else -1) * np.bincount(b, minlength=self.n_brands)

    def set_following(self, i: np.ndarray, b: np.ndarray, value: bool) -> np.ndarray:
        """Set following for distinct (customer, brand) pairs; returns changes per brand."""
        counts = np.zeros(self.n_brands, np.int64)
        if not len(i):
            return counts
        self.known_sums = None
        if kernels.use_numba_pairs(self.n * self.n_brands, self.compiled):
            return kernels.kernels().set_following(self.follows_bn, self.knows_bn,
                                                   self.follower_count, i, b, value)
        flat = np.unique(b.astype(np.int64) * self.n + i)
        b, i = flat // self.n, flat % self.n
        changed = self.follows_bn[b, i] != value
        i, b = i[changed], b[changed]
        self.follows_bn[b, i] = value
        if value:
            self.knows_bn[b, i] = True
        delta = 1 if value else -1
        counts = np.bincount(b, minlength=self.n_brands)
        self.follower_count += delta * counts
        return counts

    def following_share(self, i: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each pair, the share of customer i's engaging friends who follow brand b (0 for
        a customer without engaging friends; followers are engaging customers). Counted from
        the network when asked: only the day's few candidates for a follow need it, so no
        per-brand tally is kept (it cost 4 bytes per customer and brand and a scatter to the
        friends of everyone who followed or unfollowed)."""
        net = self.network
        if kernels.use_numba_pairs(self.n * self.n_brands, self.compiled):
            return kernels.kernels().following_share(net.indptr, net.indices, self.follows_bn,
                                                      self.n_engaging, i, b)
        owner, friend = net.gather(i)
        following = np.bincount(owner, weights=self.follows_bn[b[owner], friend],
                                minlength=len(i))
        engaging = np.bincount(owner, weights=friend < self.n_engaging, minlength=len(i))
        return following / np.maximum(engaging, 1)

    def day_sums(self) -> np.ndarray:
        """known_sums for a compiled rule to keep true, or kernels.NO_SUMS when there are
        none (a rule run outside the market's day, e.g. a crisis injected between days)."""
        return kernels.NO_SUMS if self.known_sums is None else self.known_sums

    def raise_sentiment(self, b: np.ndarray, i: np.ndarray, amount: float) -> None:
        """Sentiment of customers ``i`` toward brands ``b`` rises by ``amount``, at most to 1
        (for a pair listed twice, one rise counts, as with any fancy-index write)."""
        self.known_sums = None
        self.sentiment_bn[b, i] = np.minimum(1.0, self.sentiment_bn[b, i] + F32(amount))

    def lower_sentiment(self, b: np.ndarray, i: np.ndarray, amount: float) -> None:
        """Sentiment of customers ``i`` toward brands ``b`` falls by ``amount``, at least to -1."""
        self.known_sums = None
        self.sentiment_bn[b, i] = np.maximum(-1.0, self.sentiment_bn[b, i] - F32(amount))

    def learn(self, b: np.ndarray, i: np.ndarray) -> np.ndarray:
        """Customers ``i`` come to know brands ``b``; returns whether each knew it already."""
        self.known_sums = None
        knew = self.knows_bn[b, i]
        self.knows_bn[b, i] = True
        return knew
