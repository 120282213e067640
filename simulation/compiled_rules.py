"""The market's rules that draw random numbers, compiled with their draws (numba).

Each function here is the compiled twin of a rule written in numpy elsewhere (named in its
comment), and gives the same bits: it draws from the model's own generator, one number at a
time, in exactly the order the numpy twin draws them as arrays. numba's Generator methods are
numpy's own algorithms run on the same bit generator, so both paths read the same stream and
leave it in the same state (``tests/test_customers.py`` checks whole runs bit for bit, and the
draws one by one against numpy's arrays).

Imported by :mod:`simulation.kernels` only when numba is used; the generator is passed as the
addresses of its bit generator (``kernels.GeneratorAddresses``), rebuilt here by
``generator_at``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

jit = njit(cache=True, nogil=True, error_model="numpy")  # as simulation.kernels


_GENERATOR = types.NumPyRandomGeneratorType("generator")
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")
_FIELDS = ("state_address", "state", "fnptr_next_uint64", "fnptr_next_uint32",
           "fnptr_next_double")  # the order of kernels.GeneratorAddresses


@intrinsic
def generator_at(typingctx, addresses):
    """The numpy Generator whose bit generator is at ``addresses`` (uint64 array).

    Passing the Generator itself costs about 6 microseconds a call: numba unboxes it through
    three ctypes casts every time. The addresses, read once, cost an array argument."""

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        bit_generator = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        for k, field in enumerate(_FIELDS):
            setattr(bit_generator, field, builder.load(cgutils.gep(builder, array.data, k)))
        # No parent object and no meminfo: the Python Generator owns the state and outlives
        # the call (the caller holds it), and nothing is boxed back.
        generator = cgutils.create_struct_proxy(_GENERATOR)(context, builder)
        generator.bit_generator = bit_generator._getvalue()
        return generator._getvalue()

    return _GENERATOR(addresses), codegen


@jit
def bernoulli_positions(g, n, p, size):
    # The twin (simulation.population.bernoulli_positions): blocks of `size` geometric
    # gaps, every block drawn in full, cumulated from -1; the positions below n.
    positions = np.empty(size, np.int64)
    if size <= 0:  # no candidates (a rate of 0): nothing drawn
        return positions
    last = -1
    for k in range(size):
        last += g.geometric(p)
        positions[k] = last
    while last < n:
        more = np.empty(size, np.int64)
        for k in range(size):
            last += g.geometric(p)
            more[k] = last
        positions = np.concatenate((positions, more))
    return positions[:np.searchsorted(positions, n)]


@jit
def churn_and_acquire(pointers, n, customer, knows, sentiment, customer_count,
                      p_churn, churn_negative, churn_max, churn_p, churn_size,
                      p_acquire, sens, acquire_max, acquire_p, acquire_size):
    # The twin: Market._churn_and_acquire. A size of 0: no candidates (rate 0).
    g = generator_at(pointers)
    nb = customer.shape[0]
    zero, one, two = np.float32(0), np.float32(1), np.float32(2)
    if churn_size > 0:
        for pos in bernoulli_positions(g, n * nb, churn_p, churn_size):
            b, i = pos // n, pos % n
            if customer[b, i]:
                rate = p_churn + churn_negative * max(zero, -sentiment[b, i])
                if g.random() * churn_max < rate:
                    customer[b, i] = False
                    customer_count[b] -= 1
    if acquire_size > 0:
        for pos in bernoulli_positions(g, n * nb, acquire_p, acquire_size):
            b, i = pos // n, pos % n
            if knows[b, i] and not customer[b, i]:
                factor = min(max(one + sens * sentiment[b, i], zero), two)
                if g.random() * acquire_max < p_acquire[b] * factor:
                    customer[b, i] = True
                    customer_count[b] += 1


@jit
def follow_changes(pointers, ne, follows, sentiment, fatigue, follower_count, indptr,
                   indices, fully_mixed, recruitment, bass_q, exposure, sens, new_max,
                   new_p, new_size, unfollow_base, unfollow_fatigue, brand_term,
                   unfollow_negative, gone_max, gone_p, gone_size):
    # The twins: Market._new_follows (with Population.following_share) and
    # Market._unfollows, both on the follows of the start of the day. Returns the
    # (customer, brand) pairs that follow and those that unfollow.
    g = generator_at(pointers)
    nb = follows.shape[0]
    zero, one, two = np.float32(0), np.float32(1), np.float32(2)
    new_i = np.empty(0, np.int64)
    new_b = np.empty(0, np.int64)
    if new_size > 0:
        positions = bernoulli_positions(g, ne * nb, new_p, new_size)
        new_i = np.empty(len(positions), np.int64)
        new_b = np.empty(len(positions), np.int64)
        k = 0
        for pos in positions:
            b, i = pos // ne, pos % ne
            if follows[b, i]:
                continue
            if fully_mixed:
                share = follower_count[b] / max(ne, 1)
            else:
                following = 0
                engaging = 0
                for j in range(indptr[i], indptr[i + 1]):
                    friend = indices[j]
                    following += follows[b, friend]
                    engaging += friend < ne
                share = following / max(engaging, 1)
            factor = min(max(one + sens * sentiment[b, i], zero), two)
            rate = (recruitment[b] + bass_q * share) * exposure[b] * factor
            if g.random() * new_max < rate:
                new_i[k] = i
                new_b[k] = b
                k += 1
        new_i, new_b = new_i[:k], new_b[:k]
    gone_i = np.empty(0, np.int64)
    gone_b = np.empty(0, np.int64)
    if gone_size > 0:
        positions = bernoulli_positions(g, ne * nb, gone_p, gone_size)
        gone_i = np.empty(len(positions), np.int64)
        gone_b = np.empty(len(positions), np.int64)
        k = 0
        for pos in positions:
            b, i = pos // ne, pos % ne
            if not follows[b, i]:
                continue
            rate = unfollow_base + unfollow_fatigue * fatigue[i] + brand_term[b]
            rate = rate + unfollow_negative * max(zero, -sentiment[b, i])
            if g.random() * gone_max < rate:
                gone_i[k] = i
                gone_b[k] = b
                k += 1
        gone_i, gone_b = gone_i[:k], gone_b[:k]
    return new_i, new_b, gone_i, gone_b


@jit
def incidents(pointers, n, n_active, ne, customer, sentiment, rates, rate_max, p, size,
              impact, p_public, active_multiplier):
    # The twin: the first half of Complaints._incidents (up to the public complaints).
    # Returns the incidents per brand and the public complainants and their brands.
    g = generator_at(pointers)
    nb = customer.shape[0]
    counts = np.zeros(nb, np.int64)
    positions = bernoulli_positions(g, n * nb, p, size)
    # One uniform per candidate (customer or not), then one per incident, as the twin.
    met = np.empty(len(positions), np.int64)
    k = 0
    for pos in positions:
        b, i = pos // n, pos % n
        hit = g.random() * rate_max < rates[b]
        if customer[b, i] and hit:
            met[k] = pos
            k += 1
    public_i = np.empty(k, np.int64)
    public_b = np.empty(k, np.int64)
    m = 0
    low = np.float32(-1)
    for pos in met[:k]:
        b, i = pos // n, pos % n
        sentiment[b, i] = max(low, sentiment[b, i] - impact)
        counts[b] += 1
        chance = p_public * (active_multiplier if i < n_active else 1.0)
        if g.random() < chance and i < ne:
            public_i[m] = i
            public_b[m] = b
            m += 1
    return counts, public_i[:m], public_b[:m]

