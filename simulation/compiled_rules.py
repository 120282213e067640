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
def recount(sums, b, old_sentiment, old_knows, new_sentiment, new_knows, scale):
    # Keeps the day's net-sentiment sums (Population.known_sums: how many know brand b, and
    # their sentiment in fixed point, as kernels.known_sentiment counts them) true to one
    # (brand, person) pair's change; no sums (a second dimension of 0): nothing to keep.
    if sums.shape[1]:
        sums[0, b] += np.int64(new_knows) - np.int64(old_knows)
        sums[1, b] += (np.int64(np.int32(new_sentiment * scale)) * np.int64(new_knows)
                       - np.int64(np.int32(old_sentiment * scale)) * np.int64(old_knows))


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
def buying(addresses, eng_i, eng_b, conversion, n, customer, knows, sentiment, customer_count,
           p_churn, churn_negative, churn_max, churn_p, churn_size, p_acquire, sens,
           acquire_max, acquire_p, acquire_size, p_purchase, code, service_bit, p_question):
    # The twins, in the order of Market.step's rule 7 and 8: Market._conversions (one
    # uniform per engagement), Market._churn_and_acquire (a block size of 0: no candidates),
    # the day's purchases (one binomial per brand), then the questions (one uniform per
    # engagement). Returns the sales, the social sales and the questions, per brand.
    g = generator_at(addresses)
    nb = customer.shape[0]
    zero, one, two = np.float32(0), np.float32(1), np.float32(2)
    social_sales = np.zeros(nb, np.int64)
    for k in range(len(eng_i)):
        b, i = eng_b[k], eng_i[k]
        if g.random() < conversion[b]:
            social_sales[b] += 1
            if not customer[b, i]:
                customer[b, i] = True
                customer_count[b] += 1
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
    sales = np.empty(nb, np.int64)
    for b in range(nb):
        sales[b] = g.binomial(customer_count[b], p_purchase) + social_sales[b]
    questions = np.zeros(nb, np.int64)
    for k in range(len(eng_i)):
        asked = g.random() < p_question
        if asked and (code[eng_i[k]] >> service_bit) & 1:
            questions[eng_b[k]] += 1
    return sales, social_sales, questions


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
              impact, p_public, active_multiplier, knows, sums, scale):
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
        old = sentiment[b, i]
        sentiment[b, i] = max(low, old - impact)
        recount(sums, b, old, knows[b, i], sentiment[b, i], knows[b, i], scale)
        counts[b] += 1
        chance = p_public * (active_multiplier if i < n_active else 1.0)
        if g.random() < chance and i < ne:
            public_i[m] = i
            public_b[m] = b
            m += 1
    return counts, public_i[:m], public_b[:m]



@jit
def engagement(addresses, follows, ne, n_followers, sentiment, code, match, per_customer,
               brand_factor, sens, gain, ever, match_other, factor_other, other_pages):
    # The twins: kernels.engage with its draws (one standard exponential per follower pair,
    # brand-major), the engaged pairs' sentiment gain and ever_engaged, then
    # Market._engage_elsewhere (one draw per engaging customer who never engaged, in id
    # order, when other brands post at all). n_followers: the follower pairs (the
    # population's count). Returns the engaged (brands, customers).
    g = generator_at(addresses)
    nb = follows.shape[0]
    one, lo, hi = np.float32(1), np.float32(0), np.float32(2)
    listed = np.empty(ne, np.int32)  # (half the stores of int64: the listing is store-bound)
    eng_b = np.empty(n_followers, np.int64)  # at most every follower pair engages
    eng_i = np.empty(n_followers, np.int64)
    k = 0
    for b in range(nb):
        # The brand's followers listed without a branch (a branch on a row that is one tenth
        # followers is mispredicted too often: 2.7x slower), then their rates and draws.
        row = follows[b]
        m = 0
        for i in range(ne):
            listed[m] = i
            m += row[i]
        for j in range(m):
            i = listed[j]
            rate = match[b, code[i]] * per_customer[i]
            rate = rate * brand_factor[b]
            if sens > 0:
                f = one + sens * sentiment[b, i]
                f = min(max(f, lo), hi)
                rate = rate * f
            if g.standard_exponential(dtype=np.float32) < rate:
                eng_b[k] = b
                eng_i[k] = i
                k += 1
    eng_b, eng_i = eng_b[:k], eng_i[:k]
    for k in range(len(eng_i)):
        b, i = eng_b[k], eng_i[k]
        ever[i] = True
        sentiment[b, i] = min(one, sentiment[b, i] + gain)
    if other_pages:
        m = 0
        for i in range(ne):
            listed[m] = i
            m += not ever[i]
        for j in range(m):
            i = listed[j]
            rate = per_customer[i] * match_other[code[i]]
            rate = rate * factor_other
            if g.standard_exponential(dtype=np.float32) < rate:
                ever[i] = True
    return eng_b, eng_i


@jit
def shares(addresses, eng_i, eng_b, nb, ne, indptr, indices, p_seen, knows, follows, p_share,
           p_follow):
    # The twin: Market._shares on a network with friend lists. One uniform per engagement
    # (shared or not), then one per friend of each sharer (seen or not, in friend-list
    # order), then one per friend who saw it (follows or not). Returns the friends who
    # follow, their brands, and the views per brand.
    g = generator_at(addresses)
    views = np.zeros(nb, np.int64)
    sharers = np.empty(len(eng_i), np.int64)
    brands = np.empty(len(eng_i), np.int64)
    n_sharers = 0
    for k in range(len(eng_i)):
        if g.random() < p_share:
            sharers[n_sharers] = eng_i[k]
            brands[n_sharers] = eng_b[k]
            n_sharers += 1
    reached = 0
    for k in range(n_sharers):
        reached += indptr[sharers[k] + 1] - indptr[sharers[k]]
    friend = np.empty(reached, np.int64)
    brand = np.empty(reached, np.int64)
    m = 0
    for k in range(n_sharers):
        for j in range(indptr[sharers[k]], indptr[sharers[k] + 1]):
            f = indices[j]
            if g.random() < p_seen[f]:
                friend[m] = f
                brand[m] = brands[k]
                m += 1
    for k in range(m):
        views[brand[k]] += 1
        knows[brand[k], friend[k]] = True
    follow_i = np.empty(m, np.int64)
    follow_b = np.empty(m, np.int64)
    n_follow = 0
    for k in range(m):
        b, f = brand[k], friend[k]
        if g.random() < p_follow and f < ne and not follows[b, f]:
            follow_i[n_follow] = f
            follow_b[n_follow] = b
            n_follow += 1
    return follow_i[:n_follow], follow_b[:n_follow], views


@jit
def _first_sights(g, day, people, brands, complaint, nb, stamp, refractory, wrap, size,
                  exposures, sentiment, knows, impact, sums, scale):
    # The twin: Complaints._first_sights (stamps of 16 bits only). The fresh
    # sights (none of a complaint about the brand in refractory days), shuffled, and one per
    # (person, brand): the first after the shuffle, as np.unique's first index; in the order
    # of person * brands + brand.
    fresh = np.empty(len(people), np.int64)
    m = 0
    for k in range(len(people)):
        fresh[m] = k
        m += (day - np.int32(stamp[brands[k], people[k]])) % wrap >= refractory
    # (numba's permutation reads element 0 of its array even when empty; numpy's draws
    # nothing for no element, so skipping it changes nothing)
    fresh = fresh[:m][g.permutation(m)] if m else fresh[:0]
    keys = people[fresh] * nb + brands[fresh]
    ordered = np.argsort(keys, kind="mergesort")  # stable: the first of equal keys first
    kept = np.empty(m, np.int64)
    n_kept = 0
    for j in range(m):
        if j == 0 or keys[ordered[j]] != keys[ordered[j - 1]]:
            kept[n_kept] = fresh[ordered[j]]
            n_kept += 1
    kept = kept[:n_kept]
    who, brand, about = people[kept], brands[kept], complaint[kept]
    knew = np.empty(n_kept, np.bool_)
    low = np.float32(-1)
    for k in range(n_kept):
        b, i = brand[k], who[k]
        stamp[b, i] = day % wrap
        size[about[k]] += 1
        exposures[b] += 1
        old = sentiment[b, i]
        sentiment[b, i] = max(low, old - impact)
        knew[k] = knows[b, i]
        knows[b, i] = True
        recount(sums, b, old, knew[k], sentiment[b, i], True, scale)
    return who, brand, about, knew


@jit
def first_sights(addresses, day, people, brands, complaint, stamp, refractory, wrap, size,
                 exposures, sentiment, knows, impact, sums, scale):
    # Complaints._first_sights, for complaints just posted (their authors).
    g = generator_at(addresses)
    return _first_sights(g, day, people, brands, complaint, stamp.shape[0], stamp, refractory,
                         wrap, size, exposures, sentiment, knows, impact, sums, scale)


@jit
def spread(addresses, day, sharers, complaint, see, complaint_brand, indptr, indices, stamp,
           refractory, wrap, size, exposures, sentiment, knows, impact, sums, scale):
    # The twin: Complaints._spread on a network with friend lists (one uniform per friend of
    # each sharer, in friend-list order: seen with the sharer's chance `see`), then the first
    # sights (Complaints._first_sights).
    g = generator_at(addresses)
    reached = 0
    for k in range(len(sharers)):
        reached += indptr[sharers[k] + 1] - indptr[sharers[k]]
    friend = np.empty(reached, np.int64)
    about = np.empty(reached, np.int64)
    m = 0
    for k in range(len(sharers)):
        for j in range(indptr[sharers[k]], indptr[sharers[k] + 1]):
            if g.random() < see[k]:
                friend[m] = indices[j]
                about[m] = complaint[k]
                m += 1
    friend, about = friend[:m], about[:m]
    brand = np.empty(m, np.int64)
    for k in range(m):
        brand[k] = complaint_brand[about[k]]
    return _first_sights(g, day, friend, brand, about, stamp.shape[0], stamp, refractory, wrap,
                         size, exposures, sentiment, knows, impact, sums, scale)


@jit
def _median(values):
    # As complaints._median: the middle value, or the mean of the two middle ones.
    ordered = np.sort(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


@jit
def service_day(addresses, day, brand, opened, detected, answered, origin, complainant,
                in_crisis, coverage, capacity, questions_waiting, questions, patience, sentiment,
                win_back, never, lapsed, knows, sums, scale):
    # The twins: Complaints._detect, then Complaints._answer up to the frontier. Detection:
    # one uniform per complaint neither detected nor answered (in id order). Answers: the
    # lapsed leave the queue, the queue is the detected complaints by detection day (ties by
    # id), one uniform per brand rounds its capacity, the rest goes to questions, oldest
    # bucket first. Returns, per brand, the complaints answered, their median response days
    # (nan without any), the backlog and all answers, and the answered complaints' ids.
    g = generator_at(addresses)
    nb = len(coverage)
    n = len(brand)
    for r in range(n):
        if detected[r] == never and answered[r] == never:
            u = g.random()
            if in_crisis[brand[r]] or u < coverage[brand[r]]:
                detected[r] = day
    queue = np.empty(n, np.int64)
    in_queue = np.zeros(nb, np.int64)
    m = 0
    for r in range(n):
        if answered[r] == never and origin[r] == 0:
            if opened[r] <= day - patience:
                answered[r] = lapsed
            elif detected[r] != never:
                queue[m] = r
                in_queue[brand[r]] += 1
                m += 1
    queue = queue[:m][np.argsort(detected[queue[:m]], kind="mergesort")]
    for k in range(len(questions_waiting) - 1, 0, -1):
        questions_waiting[k] = questions_waiting[k - 1]
    questions_waiting[0] = questions
    n_answers = np.empty(nb, np.int64)
    for b in range(nb):
        whole = np.int64(capacity[b])
        n_answers[b] = whole + (g.random() < capacity[b] - whole)
    # Per brand, the first n_answers of its complaints in queue order (brand-major).
    ids = np.empty(m, np.int64)
    taken = np.zeros(nb, np.int64)
    k = 0
    for b in range(nb):
        for r in queue:
            if taken[b] == n_answers[b]:
                break
            if brand[r] == b:
                ids[k] = r
                taken[b] += 1
                k += 1
    ids = ids[:k]
    answered_n = np.zeros(nb, np.int64)
    median_days = np.full(nb, np.nan)
    backlog = np.zeros(nb, np.int64)
    answers = np.zeros(nb, np.int64)
    start = 0
    for b in range(nb):
        mine = ids[start:start + taken[b]]
        start += taken[b]
        answered_n[b] = len(mine)
        if len(mine):
            median_days[b] = _median(day - opened[mine])
        left = n_answers[b] - taken[b]
        older = 0
        answered_questions = 0
        for bucket in range(len(questions_waiting) - 1, -1, -1):  # oldest first
            waiting = questions_waiting[bucket, b]
            take = min(waiting, max(left - older, 0))
            older += waiting
            questions_waiting[bucket, b] = waiting - take
            answered_questions += take
        backlog[b] = in_queue[b] - len(mine) + questions_waiting[:, b].sum()
        answers[b] = len(mine) + answered_questions
    # Each answered complainant's sentiment rises once per (brand, person), however many of
    # their complaints were answered today (as the twin's fancy-index write): new values
    # from the old ones first, then written.
    risen = np.empty(k, np.float32)
    one = np.float32(1)
    for j in range(k):
        r = ids[j]
        answered[r] = day
        risen[j] = min(one, sentiment[brand[r], complainant[r]] + win_back)
    for j in range(k):
        r = ids[j]
        b, i = brand[r], complainant[r]
        old = sentiment[b, i]  # (a pair seen twice: risen already, nothing to recount)
        sentiment[b, i] = risen[j]
        recount(sums, b, old, knows[b, i], risen[j], knows[b, i], scale)
    return answered_n, median_days, backlog, answers, ids


@jit
def open_counts(answered, detected, origin, brand, frontier_complaint, nb, never):
    # The twin: the end of Complaints.step. Open: not answered, and either waiting for an
    # answer (detected, from a customer) or still spreading (on the frontier).
    spreading = np.zeros(len(brand), np.bool_)
    for r in frontier_complaint:
        spreading[r] = True
    counts = np.zeros(nb, np.int64)
    for r in range(len(brand)):
        waiting = detected[r] != never and origin[r] == 0
        if answered[r] == never and (waiting or spreading[r]):
            counts[brand[r]] += 1
    return counts
