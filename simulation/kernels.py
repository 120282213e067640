"""Compiled loops (numba) for the few passes that whole-array numpy does slowly, each with a
pure-numpy twin that gives the same result bit for bit.

Rules:

* A kernel here never draws random numbers: the caller draws them with the model's numpy
  ``Generator`` and passes them in, so the compiled and the numpy path see the same draws and
  give identical arrays (``tests/test_network.py`` checks this over seeds and sizes). The
  rules that draw as they go (thinning candidates, then one uniform per kept candidate) are
  compiled in :mod:`simulation.compiled_rules`, which draws from the same generator in the
  numpy twin's order.
* numba is used when it imports and ``SOCBIZ_NUMBA`` is not ``0`` (read when a market is
  built, for the whole run); otherwise, or when the work is too small to repay loading numba
  (about a second the first time in a process, most of it spent loading the cached machine
  code), the numpy path runs. Because both paths agree
  exactly, the threshold changes timings only, never results.
* Compiled code is cached on disk (``cache=True``) next to this file, so a process pays the
  compilation once per installation, not once per run.
"""

from __future__ import annotations

import os
from functools import cache

import numpy as np

# Below this many edges the numpy path is used: loading numba costs more than it saves.
MIN_EDGES_FOR_NUMBA = 300_000
# Below this many (customer, brand) pairs the market's daily passes run in numpy (tiny test
# markets). From there on the compiled passes save about a fifth of the customer side's day
# even at the default scenario's 30,000 customers x 3 brands (0.5 CPU ms a day, measured), for
# a one-time load of about half a CPU second per process, paid at construction (warm_up).
MIN_PAIRS_FOR_NUMBA = 20_000


def numba_enabled() -> bool:
    """True when the compiled kernels may be used (numba importable, SOCBIZ_NUMBA not 0)."""
    return os.environ.get("SOCBIZ_NUMBA", "1") != "0" and _compiled() is not None


def use_numba(n_items: int) -> bool:
    return n_items >= MIN_EDGES_FOR_NUMBA and numba_enabled()


@cache
def _compiled():
    """The compiled kernels as a namespace, or None when numba cannot be imported."""
    try:
        import numba
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    # error_model="numpy": a float division follows IEEE rules instead of checking its divisor
    # for zero to raise ZeroDivisionError, as Python would. The check stops LLVM from
    # vectorising a loop that divides (the feed pass ran 3.5x slower with it); no kernel
    # divides by zero, so the results are the same bits.
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")

    @jit
    def resolve_attachment_from(src, tgt, r, first):
        # Edge first + i copies endpoint r[i] of the endpoint list: an even r is the source of
        # edge r // 2, an odd r its target; r // 2 is always an earlier, resolved edge.
        for i in range(len(r)):
            ri = r[i]
            if ri % 2 == 0:
                tgt[first + i] = src[ri // 2]
            else:
                tgt[first + i] = tgt[ri // 2]

    @jit
    def triad_formation_inplace(src, tgt, triad, m, n_seed, n_nodes, start_u):
        # In place: a redirected edge's target is written once, and only stable (never
        # redirected) edges' targets are read, so no copy of the targets is needed.
        n_edges = len(src)
        # Neighbour lists of the stable (not redirected) edges, in edge order within each node:
        # a count pass, then one fill pass in edge order merged with the redirection, so that
        # when a node is reached, its first target's list holds exactly the stable neighbours
        # linked before it (no search needed). The lists hold the neighbour itself (not the
        # edge), and each node's list start and fill position sit side by side in `ptr`: one
        # cache miss instead of three per lookup, which is what this pass spends its time on.
        degree = np.zeros(n_nodes, np.int64)
        for e in range(n_edges):
            if e >= n_seed and triad[e - n_seed]:
                continue
            degree[src[e]] += 1
            degree[tgt[e]] += 1
        ptr = np.empty(2 * n_nodes, np.int64)
        total = 0
        for i in range(n_nodes):
            ptr[2 * i] = total
            ptr[2 * i + 1] = total
            total += degree[i]
        neighbour = np.empty(total, np.int32)
        for e in range(n_seed):
            a, b = src[e], tgt[e]
            neighbour[ptr[2 * a + 1]] = b
            ptr[2 * a + 1] += 1
            neighbour[ptr[2 * b + 1]] = a
            ptr[2 * b + 1] += 1
        n_new = (n_edges - n_seed) // m
        new_tgt = tgt
        for node in range(n_new):
            base = n_seed + node * m
            me = src[base]
            friend = tgt[base]
            lo = ptr[2 * friend]
            n_choices = ptr[2 * friend + 1] - lo
            start = np.int64(start_u[node] * n_choices)
            rank = 0
            for slot in range(1, m):
                if triad[base + slot - n_seed]:
                    if rank < n_choices:
                        new_tgt[base + slot] = neighbour[lo + (start + rank) % n_choices]
                    rank += 1
            for slot in range(m):
                e = base + slot
                if slot == 0 or not triad[e - n_seed]:
                    b = tgt[e]
                    neighbour[ptr[2 * me + 1]] = b
                    ptr[2 * me + 1] += 1
                    neighbour[ptr[2 * b + 1]] = me
                    ptr[2 * b + 1] += 1

    @jit
    def csr_from_edges(u, v, n):
        count = np.zeros(n + 1, np.int64)
        for i in range(len(u)):
            if u[i] != v[i]:
                count[u[i] + 1] += 1
                count[v[i] + 1] += 1
        for i in range(n):
            count[i + 1] += count[i]
        row = count[:-1].copy()
        cols = np.empty(count[-1], np.int32)
        for i in range(len(u)):
            a, b = u[i], v[i]
            if a != b:
                cols[row[a]] = b
                row[a] += 1
                cols[row[b]] = a
                row[b] += 1
        # Sort each row and drop its duplicates, compacting in place.
        indptr = np.zeros(n + 1, np.int64)
        out = 0
        for node in range(n):
            lo, hi = count[node], count[node + 1]
            if hi - lo > 32:
                cols[lo:hi].sort()
            else:
                # Insertion sort: rows are short and, for generators that list edges by source
                # (Holme-Kim), nearly sorted already; a library sort call per row costs more.
                for j in range(lo + 1, hi):
                    c = cols[j]
                    k = j - 1
                    while k >= lo and cols[k] > c:
                        cols[k + 1] = cols[k]
                        k -= 1
                    cols[k + 1] = c
            last = -1
            for j in range(lo, hi):
                c = cols[j]
                if c != last:
                    cols[out] = c
                    out += 1
                    last = c
            indptr[node + 1] = out
        # A view: the few dropped duplicates' slots at the end are not worth a copy of it all.
        return indptr, cols[:out]

    # --- The market's daily passes (simulation.customers) ------------------------------
    # Float arithmetic is written in the same order and the same dtypes as the numpy twins
    # below (no fastmath, so no fused multiply-adds), so both give identical bits.

    @jit
    def decay_sentiment(sentiment, customer, keep, rest):
        zero = np.float32(0)
        for b in range(sentiment.shape[0]):
            for i in range(sentiment.shape[1]):
                s = sentiment[b, i] * keep
                sentiment[b, i] = s + (rest if customer[b, i] else zero)

    @jit
    def decay_and_count(sentiment, customer, knows, keep, rest, scale):
        # decay_sentiment and known_sentiment in one pass over the state (the largest arrays:
        # one read of them a day fewer, a tenth of the day at ten million customers). The
        # counts are those of the sentiment just decayed; the day's later changes keep them
        # true (compiled_rules.recount) or drop them (Population.known_sums).
        zero = np.float32(0)
        nb, n = sentiment.shape
        sums = np.zeros((2, nb), np.int64)
        for b in range(nb):
            srow, crow, krow = sentiment[b], customer[b], knows[b]
            count = 0
            t = 0
            for i in range(n):
                v = srow[i] * keep
                v = v + (rest if crow[i] else zero)
                srow[i] = v
                k = np.int32(krow[i])
                count += k
                t += np.int64(np.int32(v * scale) * k)
            sums[0, b] = count
            sums[1, b] = t
        return sums

    @jit
    def known_sentiment(sentiment, knows, scale):
        nb, n = sentiment.shape
        known = np.zeros(nb, np.int64)
        total = np.zeros(nb, np.int64)
        for b in range(nb):
            count = 0
            t = 0
            for i in range(n):
                k = np.int32(knows[b, i])
                count += k
                t += np.int64(np.int32(sentiment[b, i] * scale) * k)
            known[b] = count
            total[b] = t
        return known, total

    @jit
    def feed(follows, ne, n_active, posts, push_posts, attention, fatigue, other_posts, c,
             p_seen, per_customer, drive):
        # c: tiny, engagement_scale, active multiplier, saturation_ratio, push_fatigue_weight,
        # push_tolerance (float32). Customers in blocks of FEED_BLOCK, within a block brand by
        # brand then customer by customer: each inner loop runs over contiguous slices, so it
        # vectorises, and the block's sums stay in the first-level cache (whole rows made five
        # read-write passes over 36 MB at ten million customers); the same additions, in the
        # same order, as the twin's (0 added where not following).
        nb = follows.shape[0]
        zero, one = np.float32(0), np.float32(1)
        tiny, scale, active, saturation, weight, tolerance = c[0], c[1], c[2], c[3], c[4], c[5]
        stories = np.empty(FEED_BLOCK, np.float32)
        pushed = np.empty(FEED_BLOCK, np.float32)
        for lo in range(0, ne, FEED_BLOCK):
            m = min(FEED_BLOCK, ne - lo)
            for j in range(m):
                stories[j] = zero
                pushed[j] = zero
            for b in range(nb):
                row = follows[b, lo:lo + m]
                pb, qb = posts[b], push_posts[b]
                for j in range(m):
                    f = np.float32(row[j])
                    stories[j] += f * pb
                    pushed[j] += f * qb
            att, fat = attention[lo:lo + m], fatigue[lo:lo + m]
            seen_out, factor_out = p_seen[lo:lo + m], per_customer[lo:lo + m]
            drive_out = drive[lo:lo + m]
            for j in range(m):
                s = stories[j]
                candidates = other_posts + s
                seen = min(one, att[j] / max(candidates, tiny))
                seen_out[j] = seen
                factor_out[j] = scale * seen * (one - fat[j])
                push_seen = pushed[j] / s if s > zero else zero
                over = max(zero, candidates / (att[j] * saturation) - one)
                drive_out[j] = over + weight * max(zero, push_seen - tolerance)
        for i in range(min(n_active, ne)):
            per_customer[i] = per_customer[i] * active

    @jit
    def fatigue_toward(fatigue, decay, memory):
        # The twin: kernels.fatigue_toward's numpy lines, in one pass instead of four.
        one = np.float32(1)
        for i in range(len(fatigue)):
            gap = (one - decay[i]) - fatigue[i]
            fatigue[i] = fatigue[i] + gap / memory

    @jit
    def set_following(follows, knows, follower_count, i, b, value):
        # The twin: Population.set_following. One pair at a time, so a pair listed twice
        # changes once, as the twin's unique pairs do; returns the changes per brand.
        counts = np.zeros(follows.shape[0], np.int64)
        delta = 1 if value else -1
        for k in range(len(i)):
            if follows[b[k], i[k]] != value:
                follows[b[k], i[k]] = value
                if value:
                    knows[b[k], i[k]] = True
                counts[b[k]] += 1
                follower_count[b[k]] += delta
        return counts

    @jit
    def weekly_engaged(flat, follows, n):
        # The twin: Market._weekly_engaged. Distinct (brand * n + customer) pairs still
        # following, per brand.
        ordered = np.sort(flat)
        counts = np.zeros(follows.shape[0], np.int64)
        previous = -1
        for pair in ordered:
            if pair != previous:
                b, i = pair // n, pair % n
                counts[b] += follows[b, i]
                previous = pair
        return counts

    @jit
    def follower_sums(follows, ne, a, b_values, scale):
        # In blocks of FEED_BLOCK customers, as feed: a and b are read (and made fixed point)
        # once for all brands. Integer sums: the order of the additions does not matter.
        nb = follows.shape[0]
        total_a = np.zeros(nb, np.int64)
        total_b = np.zeros(nb, np.int64)
        fixed_a = np.empty(FEED_BLOCK, np.int32)
        fixed_b = np.empty(FEED_BLOCK, np.int32)
        for lo in range(0, ne, FEED_BLOCK):
            m = min(FEED_BLOCK, ne - lo)
            a_in, b_in = a[lo:lo + m], b_values[lo:lo + m]
            for j in range(m):
                fixed_a[j] = np.int32(a_in[j] * scale)
                fixed_b[j] = np.int32(b_in[j] * scale)
            for b in range(nb):
                row = follows[b, lo:lo + m]
                ta = 0
                tb = 0
                for j in range(m):
                    k = np.int32(row[j])
                    ta += np.int64(fixed_a[j] * k)
                    tb += np.int64(fixed_b[j] * k)
                total_a[b] += ta
                total_b[b] += tb
        return total_a, total_b

    @jit
    def following_share(indptr, indices, follows, ne, i, b):
        out = np.empty(len(i), np.float64)
        for k in range(len(i)):
            row = follows[b[k]]
            following = 0
            engaging = 0
            for j in range(indptr[i[k]], indptr[i[k] + 1]):
                friend = indices[j]
                following += row[friend]
                engaging += friend < ne
            out[k] = following / max(engaging, 1)
        return out

    class Kernels:
        pass

    kernels = Kernels()
    kernels.triad_formation_inplace = triad_formation_inplace
    kernels.resolve_attachment_from = resolve_attachment_from
    kernels.csr_from_edges = csr_from_edges
    kernels.decay_sentiment = decay_sentiment
    kernels.known_sentiment = known_sentiment
    kernels.feed = feed
    kernels.set_following = set_following
    kernels.fatigue_toward = fatigue_toward
    kernels.decay_and_count = decay_and_count
    kernels.weekly_engaged = weekly_engaged
    kernels.follower_sums = follower_sums
    kernels.following_share = following_share
    # The rules fused with their draws live in a module of their own: a compiled function
    # that calls other compiled functions must reach them as module globals, not as
    # variables of this closure, or numba's on-disk cache misses in every new process.
    from . import compiled_rules

    kernels.buying = compiled_rules.buying
    kernels.follow_changes = compiled_rules.follow_changes
    kernels.incidents = compiled_rules.incidents
    kernels.engagement = compiled_rules.engagement
    kernels.shares = compiled_rules.shares
    kernels.first_sights = compiled_rules.first_sights
    kernels.spread = compiled_rules.spread
    kernels.service_day = compiled_rules.service_day
    kernels.open_counts = compiled_rules.open_counts
    return kernels


def kernels():
    """The compiled kernels (call only when :func:`numba_enabled` is true)."""
    return _compiled()


class GeneratorAddresses:
    """The addresses a compiled rule draws from ``rng`` with (its bit generator's state and
    next-number functions), read once: ``of(rng)`` gives them as a uint64 array.

    The caller keeps the Generator alive while the addresses are used: compiled code that
    draws from the addresses of a freed generator writes into freed memory. The addresses are
    read again when the Generator's bit generator is another object (a copied model)."""

    def __init__(self):
        self._source = None
        self._bit_generator = None  # the last one read: not freed while this object lives
        self._addresses = np.zeros(5, np.uint64)

    def of(self, rng: np.random.Generator) -> np.ndarray:
        interface = rng.bit_generator.ctypes  # cached by numpy: one object per bit generator
        if interface is not self._source:
            import ctypes

            def address(function) -> int:
                return ctypes.cast(function, ctypes.c_void_p).value

            self._addresses = np.array(
                [interface.state_address, interface.state.value,
                 address(interface.next_uint64), address(interface.next_uint32),
                 address(interface.next_double)], np.uint64)
            self._source = interface
            self._bit_generator = rng.bit_generator
        return self._addresses


# ----------------------------------------------------------------------------------------
# The market's daily passes: each dispatches to its compiled kernel for large populations and
# to its numpy twin otherwise; both give the same bits (tests/test_customers.py checks it).

CHUNK = 1 << 16  # numpy twins work through long rows in chunks (bounded temporaries)
FEED_BLOCK = 2048  # customers per block of the compiled feed (its sums: 16 KB, in L1)


def use_numba_pairs(n_pairs: int, enabled: bool | None = None) -> bool:
    """True when a daily pass over ``n_pairs`` (customer, brand) pairs should be compiled.
    ``enabled``: :func:`numba_enabled` as the caller read it once (the market, at
    construction), or None to read it now (an environment lookup, about a microsecond: the
    market's six passes a day paid it six times)."""
    return n_pairs >= MIN_PAIRS_FOR_NUMBA and (numba_enabled() if enabled is None else enabled)


def warm_up(n_pairs: int) -> None:
    """Load the market's compiled passes now (construction) rather than on the first day."""
    if not use_numba_pairs(n_pairs):
        return
    k = kernels()
    f32 = np.float32
    follows = np.zeros((1, 2), bool)
    sentiment = np.zeros((1, 2), f32)
    code = np.zeros(2, np.uint8)
    ones = np.ones(2, f32)
    k.decay_sentiment(sentiment, follows, f32(1), f32(0))
    k.known_sentiment(sentiment, follows, SENTIMENT_SCALE)
    k.feed(follows, 2, 0, ones[:1], ones[:1], ones, ones, f32(1), np.ones(6, f32),
           np.empty(2, f32), np.empty(2, f32), np.empty(2, f32))
    k.follower_sums(follows, 2, ones, ones, SENTIMENT_SCALE)
    none = np.zeros(0, np.int64)
    k.following_share(np.zeros(3, np.int64), np.zeros(0, np.int32), follows, 2, none, none)
    # The rules drawing for themselves (simulation.compiled_rules), with the argument types
    # of their callers' and no candidates (block size 0): nothing is drawn.
    rng = np.random.default_rng(0)  # alive while its addresses are used (service_day draws)
    addresses = GeneratorAddresses().of(rng)
    counts, rates = np.zeros(1, np.int64), np.zeros(1)
    k.buying(addresses, none, none, rates, 2, follows, follows, sentiment, counts, f32(0), f32(0),
             0.0, 0.0, 0, rates, f32(0), 0.0, 0.0, 0, 0.0, code, 0, 0.0)
    k.follow_changes(addresses, 2, follows, sentiment, ones, counts, np.zeros(3, np.int64),
                     np.zeros(0, np.int32), False, rates, 0.0, ones[:1], f32(0), 0.0, 0.0, 0,
                     f32(0), f32(0), ones[:1], f32(0), 0.0, 0.0, 0)
    no_sums = NO_SUMS
    k.incidents(addresses, 2, 0, 2, follows, sentiment, rates, 0.0, 0.0, 0, f32(0), 0.0, 0.0,
                follows, no_sums, SENTIMENT_SCALE)
    k.engagement(addresses, follows, 0, 0, sentiment, code, np.zeros((1, 256), f32), ones, ones[:1],
                 f32(0), f32(0), np.ones(2, bool), np.zeros(256, f32), f32(0), False)
    k.shares(addresses, none, none, 1, 2, np.zeros(3, np.int64), np.zeros(0, np.int32), ones,
             follows, follows, 0.0, 0.0)
    k.set_following(follows, follows.copy(), counts, none, none, True)
    k.fatigue_toward(ones.copy(), ones.copy(), f32(1))
    k.decay_and_count(sentiment, follows, follows, f32(1), f32(0), SENTIMENT_SCALE)
    stamp = np.zeros((1, 2), np.uint16)
    sights = (stamp, 1, 1 << 16, none, counts, sentiment, follows, f32(0), no_sums,
              SENTIMENT_SCALE)
    k.first_sights(addresses, 0, none, none, none, *sights)
    k.spread(addresses, 0, none, none, ones[:0], np.zeros(0, np.int32), np.zeros(3, np.int64),
             np.zeros(0, np.int32), *sights)
    days, origin = np.zeros(0, np.int32), np.zeros(0, np.int8)
    k.service_day(addresses, 0, days, days, days, days, origin, none, np.zeros(1, bool), rates,
                  rates, np.zeros((1, 1), np.int64), counts, 1, sentiment, f32(0), 0, -1,
                  follows, no_sums, SENTIMENT_SCALE)
    k.open_counts(days, days, origin, days, none, 1, 0)
    k.weekly_engaged(none, follows, 2)


def engage(follows: np.ndarray, ne: int, sentiment: np.ndarray, code: np.ndarray,
           match: np.ndarray, per_customer: np.ndarray, brand_factor: np.ndarray, sens,
           draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Engaged (brand, customer) pairs among the followers (customers below ``ne``).

    Follower pair k (brand-major order) has rate match[b, code[i]] x per_customer[i] x
    brand_factor[b] x clip(1 + sens x sentiment[b, i], 0, 2) (the last factor only when sens > 0)
    and engages when ``draws[k]`` (a standard exponential, one per follower pair) is below it:
    probability 1 - exp(-rate). The numpy twin of ``compiled_rules.engagement``, which draws
    for itself."""
    rows_b, rows_i = [], []
    for b in range(follows.shape[0]):
        i = np.flatnonzero(follows[b, :ne])
        rows_b.append(np.full(len(i), b, np.int64))
        rows_i.append(i)
    eng_b = np.concatenate(rows_b) if rows_b else np.empty(0, np.int64)
    eng_i = np.concatenate(rows_i) if rows_i else np.empty(0, np.int64)
    rate = match[eng_b, code[eng_i]] * per_customer[eng_i]
    rate *= brand_factor[eng_b]
    if sens > 0:
        rate *= np.clip(np.float32(1) + sens * sentiment[eng_b, eng_i], np.float32(0),
                        np.float32(2))
    engaged = draws[: len(rate)] < rate
    return eng_b[engaged], eng_i[engaged]


def fatigue_toward(fatigue: np.ndarray, decay: np.ndarray, memory, compiled: bool) -> None:
    """In place: fatigue moves toward its target 1 - decay by 1 / memory of the gap (float32;
    decay = exp(-drive), computed by numpy's exp for both paths). ``decay`` is overwritten.
    ``compiled``: whether the market's passes run compiled (its own choice, by its size)."""
    if compiled:
        kernels().fatigue_toward(fatigue, decay, memory)
        return
    target = np.subtract(np.float32(1), decay, out=decay)
    gap = np.subtract(target, fatigue, out=target)
    fatigue += np.divide(gap, memory, out=gap)


def decay_sentiment(sentiment: np.ndarray, customer: np.ndarray, keep, rest,
                    enabled: bool | None = None) -> None:
    """In place: sentiment x keep, plus rest where the customer buys the brand (float32)."""
    if use_numba_pairs(sentiment.size, enabled):
        kernels().decay_sentiment(sentiment, customer, keep, rest)
        return
    sentiment *= keep
    sentiment += customer * rest


# Sentiment (-1..1) is summed in fixed point, as integers of 2**-30: an integer sum is exact
# in any order, so the compiled and the numpy path agree bit for bit and both can use vector
# instructions (a float sum's result depends on the order of the additions). Each customer's
# value is truncated to a multiple of 2**-30 (about 1e-9), far below anything a survey reads.
SENTIMENT_SCALE = np.float32(2**30)
# The day's counts when there are none to keep (compiled_rules.recount: nothing to do).
NO_SUMS = np.zeros((2, 0), np.int64)


def known_sentiment(sentiment: np.ndarray, knows: np.ndarray, enabled: bool | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per brand: how many customers know it, and the sum of their sentiment (float64, from
    the exact fixed-point sum above)."""
    if use_numba_pairs(sentiment.size, enabled):
        known, total = kernels().known_sentiment(sentiment, knows, SENTIMENT_SCALE)
    else:
        known = np.count_nonzero(knows, axis=1).astype(np.int64)
        total = np.zeros(len(sentiment), np.int64)
        for lo in range(0, sentiment.shape[1], CHUNK):
            fixed = (sentiment[:, lo:lo + CHUNK] * SENTIMENT_SCALE).astype(np.int32)
            fixed *= knows[:, lo:lo + CHUNK]
            total += fixed.sum(axis=1, dtype=np.int64)
    return known, total / float(SENTIMENT_SCALE)


def feed(follows: np.ndarray, ne: int, n_active: int, posts: np.ndarray, push_posts: np.ndarray,
         attention: np.ndarray, fatigue: np.ndarray, other_posts, constants: np.ndarray,
         enabled: bool | None = None, p_seen: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each engaging customer's feed (rules 1, 2 and 4 of simulation.customers), float32:
    p_seen = min(1, attention / max(C, tiny)) with C = other_posts + the posts of the brands
    followed; the engagement factor engagement_scale x p_seen x (1 - fatigue), times the active
    multiplier for customers below ``n_active``; and the fatigue drive (the exponent of the
    fatigue target) max(0, C / (attention x saturation_ratio) - 1) + push_fatigue_weight x
    max(0, pushed share seen - push_tolerance). ``constants`` holds tiny, engagement_scale,
    active multiplier, saturation_ratio, push_fatigue_weight, push_tolerance."""
    # p_seen: where to write it (float32, length ne), e.g. the market's own array: one
    # array of the engaging customers' size fewer to allocate, fill and copy each day.
    p_seen = np.empty(ne, np.float32) if p_seen is None else p_seen
    per_customer = np.empty(ne, np.float32)
    drive = np.empty(ne, np.float32)
    if use_numba_pairs(follows.shape[0] * ne, enabled):
        kernels().feed(follows, ne, n_active, posts, push_posts, attention, fatigue, other_posts,
                       constants, p_seen, per_customer, drive)
        return p_seen, per_customer, drive
    tiny, scale, active, saturation, push_weight, tolerance = constants
    stories = np.zeros(ne, np.float32)
    pushed = np.zeros(ne, np.float32)
    for b in range(follows.shape[0]):
        stories += follows[b, :ne] * posts[b]
        pushed += follows[b, :ne] * push_posts[b]
    candidates = other_posts + stories
    attention = attention[:ne]
    np.minimum(np.float32(1), attention / np.maximum(candidates, tiny), out=p_seen)
    np.multiply(scale * p_seen, np.float32(1) - fatigue[:ne], out=per_customer)
    per_customer[:n_active] *= active
    with np.errstate(invalid="ignore", divide="ignore"):
        push_seen = np.where(stories > 0, pushed / stories, np.float32(0))
    over = np.maximum(np.float32(0), candidates / (attention * saturation) - np.float32(1))
    np.add(over, push_weight * np.maximum(np.float32(0), push_seen - tolerance), out=drive)
    return p_seen, per_customer, drive


def engage_elsewhere(ever: np.ndarray, ne: int, code: np.ndarray, match: np.ndarray,
                     per_customer: np.ndarray, factor, draws: np.ndarray) -> None:
    """In place: engaging customers who never engaged do so when their exponential draw (one
    per such customer, in id order) is below per_customer x match[code] x factor. The numpy
    twin of the second half of ``compiled_rules.engagement``."""
    not_yet = np.flatnonzero(~ever[:ne])
    rate = per_customer[not_yet] * match[code[not_yet]]
    rate *= factor
    ever[not_yet[draws[: len(not_yet)] < rate]] = True


# Shares and rates in 0..1 summed over followers in the same fixed point as sentiment.
def follower_sums(follows: np.ndarray, ne: int, a: np.ndarray, b: np.ndarray,
                  enabled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per brand, the sums of a[i] and of b[i] (values in 0..1) over its followers i < ne."""
    if use_numba_pairs(follows.shape[0] * ne, enabled):
        ta, tb = kernels().follower_sums(follows, ne, a, b, SENTIMENT_SCALE)
    else:
        followers = follows[:, :ne]
        ta = np.where(followers, (a[:ne] * SENTIMENT_SCALE).astype(np.int32), 0).sum(
            axis=1, dtype=np.int64)
        tb = np.where(followers, (b[:ne] * SENTIMENT_SCALE).astype(np.int32), 0).sum(
            axis=1, dtype=np.int64)
    return ta / float(SENTIMENT_SCALE), tb / float(SENTIMENT_SCALE)
