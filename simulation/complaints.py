"""Incidents, public complaints, negative word of mouth, customer service answers and crises.

Rules, applied each day after the customers' own rules (``Complaints.step``), on the population
state the market's rules also act on (:mod:`simulation.population`, handed over explicitly:
these rules change it only through its operations, and send their event-log notes back in the
day's :class:`~simulation.exchange.MarketDay`):

1. Incidents. A customer of a brand meets a problem with the product or service with the
   brand's incident rate (which quality and R&D lower over time by acting on insights from
   listening, and which a product defect multiplies for a while). The incident costs the
   customer incident_sentiment_impact of sentiment toward the brand. An engaging customer
   complains publicly with probability p_complain_public (x active_complaint_multiplier for
   active customers). A complaint gets a virality drawn from a lognormal of median 1 and
   log-sd virality_sigma: a few complaints are far more shareable than the rest.
2. Detection. Each day an open complaint that the brand has not seen yet is detected with the
   brand's listening coverage. During a crisis every complaint about the brand is in plain view.
3. Answers. Customer service answers up to its capacity each day: detected complaints first,
   in the order it detected them, then questions (oldest first). An answered complaint stops spreading and wins back
   answer_win_back of the complainant's sentiment. What is left waits (the backlog); people give
   up after patience_days and their request leaves the queue unanswered. Capacity comes from
   staff-hours for the real market (market_size people), so in simulated requests it is divided
   by market_size / n_customers. Exogenous crises are not answerable one by one: only a public
   crisis response acts on them.
4. Spread. Everyone who passed a complaint on (its author on the day it is posted, others the
   day after they saw it) shows it to each friend;
   a friend sees it with probability p_see_friend_post x (sharer's degree / mean degree) **
   influencer_amplification (well-connected people, bloggers, are read more). A person who sees a
   complaint about a brand for the first time in refractory_days loses wom_sentiment_impact of
   sentiment, comes to know the brand, and passes it on with probability p_reshare x virality x
   exp(-age / wom_decay_days) x (1, or unaware_reshare_factor if they did not know the brand) x
   (active_complaint_multiplier for active customers) x the brand's crisis-response factor.
   Only those passers-on show it to their friends the next day: this is an independent cascade.
   In a fully mixed population the friends are drawn at random.
5. Crises. The people newly exposed to complaints about a brand over the last
   crisis_window_days, as a share of all customers, give the crisis level: 1, 2 or 3 above
   crisis_l1, crisis_l2, crisis_l3 (Altimeter's levels). A crisis starts when the level first
   reaches 1 or more, escalates
   when its level rises (each level gained costs crisis_churn of the brand's customers and
   raises executive awareness, on the organisation side) and ends after a full window below
   level 1. The brand notices a surge (more than crisis_alert_share of customers newly exposed
   in a day) through its listening, with probability listening coverage each day, and at the
   latest when the crisis starts; it responds publicly crisis_response_days_unprepared x
   (1 - preparedness) days after noticing. The response backfires (heavy-handed moderation:
   passing-on doubles) with probability p_backfire_unprepared x (1 - preparedness); otherwise it
   cuts passing-on by crisis_response_effect, until a full window without surge or crisis.
6. Exogenous crises (product defect, employee video, NGO attack) happen at random at
   exogenous_crises_per_year x awareness², or when scheduled or injected. Each is a complaint of
   high virality (unscheduled ones: lognormal around exogenous_virality, posted by
   exogenous_seeds people) first posted by customers among the best-connected influencer_share
   (employee video), by activists_per_seed activists per seed (NGO attack) or by customers of
   the brand, with defect_incident_multiplier times more incidents for defect_days (product
   defect).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import kernels
from .config import WordOfMouthConfig
from .i18n import Number, msg, nmsg, term
from .population import thinning_block
from .vocabulary import (
    COMPLAINT_ORIGINS,
    CRISIS_CAUSE_TERMS,
    CRISIS_CAUSES,
    SEED_ACTIVISTS,
    SEED_INFLUENCERS,
)

if TYPE_CHECKING:
    from .exchange import DailyOutput, MarketDay
    from .population import Population

F32 = np.float32
NEVER = np.iinfo(np.int32).min // 2
STAMP_WRAP = 1 << 16  # last-exposure stamps are days modulo this (Complaints._stamp)
LAPSED = -1  # "answered" day of a complaint whose author gave up waiting
ORIGINS = COMPLAINT_ORIGINS  # "customer", then the crisis causes (vocabulary)


def _median(values: np.ndarray) -> float:
    """np.median of a short integer array, as a float (np.median costs about 15 microseconds
    a call, most of it checks that small arrays do not need)."""
    ordered = np.sort(values).tolist()
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class ComplaintTable:
    """Every public complaint ever made, one row each (growable struct of arrays)."""

    COLUMNS = {
        "brand": np.int32,
        "complainant": np.int64,
        "opened": np.int32,
        "virality": np.float32,
        "detected": np.int32,  # day detected, or NEVER
        "answered": np.int32,  # day answered, or NEVER
        "size": np.int64,  # people reached
        "origin": np.int8,  # index in ORIGINS
    }

    def __init__(self):
        self.n = 0
        self._data = {k: np.empty(64, t) for k, t in self.COLUMNS.items()}

    def append(self, **columns) -> np.ndarray:
        """Add rows: ``brand`` is an array (one row each), the other columns arrays of the
        same length or single values for every new row."""
        k = len(columns["brand"])
        if self.n + k > len(self._data["brand"]):
            size = max(2 * len(self._data["brand"]), self.n + k)
            for name, array in self._data.items():
                grown = np.empty(size, array.dtype)
                grown[: self.n] = array[: self.n]
                self._data[name] = grown
        for name, array in self._data.items():
            array[self.n : self.n + k] = columns[name]
        ids = np.arange(self.n, self.n + k)
        self.n += k
        return ids

    def to_frame(self):
        import pandas as pd

        frame = pd.DataFrame({k: getattr(self, k) for k in self.COLUMNS})
        frame["origin"] = [ORIGINS[o] for o in frame["origin"]]
        answered = frame["answered"]
        frame["status"] = np.select([answered >= 0, answered == LAPSED], ["answered", "lapsed"],
                                    "open")
        frame["detected"] = frame["detected"].where(frame["detected"] != NEVER)
        frame["answered"] = answered.where(answered >= 0)
        return frame


def _column(name: str) -> property:
    """The table's column ``name``, its rows so far (a view)."""
    return property(lambda table: table._data[name][: table.n], doc=f"The {name} column.")


# Columns as properties (a class attribute is found at once; __getattr__ ran only after a
# failed lookup, about two dozen times a day).
for _name in ComplaintTable.COLUMNS:
    setattr(ComplaintTable, _name, _column(_name))
del _name


class Complaints:
    """Complaints, cascades, the customer-service queue and crisis detection, for all brands."""

    def __init__(self, population: Population, config: WordOfMouthConfig,
                 rng: np.random.Generator, brand_awareness: Sequence[float]):
        # The population state is shared with the market's rules (simulation.population): it
        # is handed over here, and changed only through its operations.
        self.population = population
        self.config = config
        self.rng = rng
        self.brand_awareness = tuple(brand_awareness)  # drives the exogenous crisis rate
        nb = population.n_brands
        self.table = ComplaintTable()
        self.frontier_node = np.empty(0, np.int64)
        self.frontier_complaint = np.empty(0, np.int64)
        # The day each person last saw a complaint about each brand, (brand, customer), kept as
        # the day modulo 2**16 (2 bytes a pair instead of 4): the refractory test only needs
        # the days since then, exact while fewer than 2**16 days have passed. "Never" is the
        # stamp that always reads as long enough ago; it cannot be a real day before day
        # 2**16 - refractory_days, where the stamps are widened to int32 days (never, in
        # practice: horizons are at most 36,500 days).
        self._never_stamp = (STAMP_WRAP - config.refractory_days) % STAMP_WRAP
        self._stamp = np.full((nb, population.n), self._never_stamp, np.uint16)
        self.questions_waiting = np.zeros((config.patience_days, nb), np.int64)
        self.exposure_window = np.zeros((config.crisis_window_days, nb), np.int64)
        self.injected_exposures = np.zeros(nb, np.int64)  # from crises injected before the step
        self.crisis_level = np.zeros(nb, np.int64)  # peak level of the active crisis
        self.quiet_days = np.zeros(nb, np.int64)
        self.response_day = np.full(nb, -1, np.int64)
        self.response_factor = np.ones(nb)
        self.defect_until = np.full(nb, -1, np.int64)
        # Whether the rules with a compiled twin run compiled (simulation.kernels), and the
        # addresses those draw from self.rng with.
        self._compiled_rules = kernels.use_numba_pairs(population.n * nb, population.compiled)
        self._rng_addresses = kernels.GeneratorAddresses()
        # Per-customer factors are computed for the people concerned when needed (from the
        # degree and from the id ranges), not held as arrays of 4 bytes per customer.
        self._mean_degree = max(population.network.mean_degree_realised, 1e-9)

    def see_share(self, sharers: np.ndarray) -> np.ndarray:
        """Chance that a friend sees a complaint each sharer passes on (float32)."""
        c = self.config
        degree = self.population.network.degree_of(sharers).astype(np.float64)
        return np.minimum(1.0, c.p_see_friend_post * (degree / self._mean_degree)
                          ** c.influencer_amplification).astype(F32)

    def reshare_activity(self, people: np.ndarray) -> np.ndarray:
        """active_complaint_multiplier for active customers, 1 for the others (float32)."""
        return np.where(people < self.population.n_active,
                        F32(self.config.active_complaint_multiplier), F32(1))

    @property
    def last_exposed(self) -> np.ndarray:
        """(brand, customer): the day each person last saw a complaint about each brand, or
        NEVER (int32; decoded from the stamps)."""
        if self._stamp.dtype == np.int32:
            return self._stamp
        days = self._stamp.astype(np.int32)
        days[self._stamp == self._never_stamp] = NEVER
        return days

    def _fresh(self, day: int, brands: np.ndarray, people: np.ndarray) -> np.ndarray:
        """Whether each person's last sight of a complaint about the brand is at least
        refractory_days old (or never happened)."""
        if self._stamp.dtype != np.int32 and day >= STAMP_WRAP - self.config.refractory_days:
            self._stamp = self.last_exposed  # int32 days from here on
        stamp = self._stamp[brands, people]
        if stamp.dtype == np.int32:
            return stamp <= day - self.config.refractory_days
        return (day - stamp.astype(np.int32)) % STAMP_WRAP >= self.config.refractory_days

    # ------------------------------------------------------------------------------------
    def step(self, day: int, outputs: list[DailyOutput], questions: np.ndarray,
             results: list[MarketDay]) -> None:
        self.day = day
        self._exogenous(day, results)
        exposures = self.injected_exposures.copy()
        self.injected_exposures[:] = 0
        self._incidents(day, outputs, results, exposures)
        if self._compiled_rules:
            self._service_compiled(day, outputs, questions, results)
        else:
            self._detect(day, outputs)
            self._answer(day, outputs, questions, results)
        self._spread(day, exposures)
        self._crises(day, outputs, exposures, results)
        t = self.table
        if self._compiled_rules:
            open_counts = kernels.kernels().open_counts(
                t.answered, t.detected, t.origin, t.brand, self.frontier_complaint,
                self.population.n_brands, NEVER)
        else:
            waiting = (t.answered == NEVER) & (t.detected != NEVER) & (t.origin == 0)
            spreading = np.zeros(t.n, bool)
            spreading[self.frontier_complaint] = True
            open_ = (t.answered == NEVER) & (waiting | spreading)
            open_counts = np.bincount(t.brand[open_], minlength=self.population.n_brands)
        for b, r in enumerate(results):
            r.negative_exposures = int(exposures[b])
            r.complaints_open = int(open_counts[b])

    # ------------------------------------------------------------------------------------
    def _incidents(self, day, outputs, results, exposures) -> None:
        m, c = self.population, self.config
        rates = np.array([o.incident_rate for o in outputs])
        rates = rates * np.where(self.defect_until >= day, c.defect_incident_multiplier, 1.0)
        rate_max = float(rates.max(initial=0))
        block = thinning_block(m.n * m.n_brands, rate_max)
        if self._compiled_rules and block is not None and block[1] > 0:
            counts, public_i, public_b = kernels.kernels().incidents(
                self._rng_addresses.of(self.rng), m.n, m.n_active, m.n_engaging,
                m.customer_bn, m.sentiment_bn, rates, rate_max, *block,
                F32(c.incident_sentiment_impact), float(c.p_complain_public),
                float(c.active_complaint_multiplier), m.knows_bn, m.day_sums(),
                kernels.SENTIMENT_SCALE)
        else:
            i, b = m.candidates(m.n, rate_max, self.rng)
            keep = m.customer_bn[b, i] & (self.rng.random(len(i)) * rate_max < rates[b])
            i, b = i[keep], b[keep]
            m.lower_sentiment(b, i, c.incident_sentiment_impact)
            counts = np.bincount(b, minlength=m.n_brands)
            p_public = c.p_complain_public * np.where(i < m.n_active,
                                                      c.active_complaint_multiplier, 1)
            public = (i < m.n_engaging) & (self.rng.random(len(i)) < p_public)
            public_i, public_b = i[public], b[public]
        new = self._open(day, public_i, public_b, origin=0, exposures=exposures)
        new_counts = np.bincount(public_b, minlength=m.n_brands)
        for brand, r in enumerate(results):
            r.incidents = int(counts[brand])
            r.complaints_new = int(new_counts[brand])
        del new

    def _open(self, day, complainants, brands, origin, exposures, virality=None) -> np.ndarray:
        """Open complaints posted by ``complainants``; they are their first sharers."""
        k = len(complainants)
        if not k:
            return np.empty(0, np.int64)
        if virality is None:
            virality = self.rng.lognormal(0.0, self.config.virality_sigma, k)
        ids = self.table.append(brand=brands, complainant=complainants, opened=day,
                                virality=virality, detected=NEVER, answered=NEVER, size=0,
                                origin=origin)
        self._expose(day, complainants, brands, ids, exposures)
        return ids

    def _detect(self, day, outputs) -> None:
        t = self.table
        pending = np.flatnonzero((t.detected == NEVER) & (t.answered == NEVER))
        if not len(pending):
            return
        coverage = np.array([o.listening_coverage for o in outputs])
        in_crisis = self.crisis_level > 0
        brand = t.brand[pending]
        seen = in_crisis[brand] | (self.rng.random(len(pending)) < coverage[brand])
        t.detected[pending[seen]] = day

    def _answer(self, day, outputs, questions, results) -> None:
        m, c, t = self.population, self.config, self.table
        # Complainants give up after patience_days: their complaint leaves the queue unanswered.
        waiting = (t.answered == NEVER) & (t.origin == 0)
        t.answered[waiting & (t.opened <= day - c.patience_days)] = LAPSED
        queue = np.flatnonzero(waiting & (t.detected != NEVER) & (t.answered == NEVER))
        # Oldest detected first; ties by complaint id (the queue is already in id order).
        queue = queue[np.argsort(t.detected[queue], kind="stable")]
        # Questions wait in day buckets and are dropped after patience_days as well.
        # (shifted in place, oldest bucket dropped: np.roll would allocate a new array daily)
        self.questions_waiting[1:] = self.questions_waiting[:-1]
        self.questions_waiting[0] = questions
        # One uniform per brand, in brand order, rounds its fractional capacity up or down.
        capacity = np.array([o.answer_capacity for o in outputs])
        whole = capacity.astype(np.int64)
        n_answers = whole + (self.rng.random(len(outputs)) < capacity - whole)
        queue_brand = t.brand[queue]
        in_queue = np.bincount(queue_brand, minlength=len(outputs)).tolist()
        answered_ids = [queue[queue_brand == b][:n] for b, n in enumerate(n_answers.tolist())]
        taken = np.array([len(mine) for mine in answered_ids], np.int64)
        # The answers left after the complaints go to questions, oldest bucket first: bucket
        # k gives min(its questions, what is left after the older buckets).
        oldest_first = self.questions_waiting[::-1]
        older = np.cumsum(oldest_first, axis=0) - oldest_first
        take = np.minimum(oldest_first, np.maximum(n_answers - taken - older, 0))
        oldest_first -= take  # a view: updates questions_waiting
        answered_questions = take.sum(axis=0).tolist()
        backlog = self.questions_waiting.sum(axis=0).tolist()
        for b, (r, mine) in enumerate(zip(results, answered_ids, strict=True)):
            r.complaints_answered = len(mine)
            r.median_response_days = _median(day - t.opened[mine]) if len(mine) else float("nan")
            r.backlog = in_queue[b] - len(mine) + backlog[b]
            r.answers = len(mine) + answered_questions[b]
        answered = np.concatenate(answered_ids) if answered_ids else np.empty(0, np.int64)
        if len(answered):
            t.answered[answered] = day
            who, brand = t.complainant[answered], t.brand[answered]
            m.raise_sentiment(brand, who, c.answer_win_back)
            alive = t.answered[self.frontier_complaint] < 0  # not answered (open or lapsed)
            self.frontier_node = self.frontier_node[alive]
            self.frontier_complaint = self.frontier_complaint[alive]

    def _service_compiled(self, day, outputs, questions, results) -> None:
        """_detect and _answer in one compiled pass (simulation.compiled_rules.service_day)."""
        t, c = self.table, self.config
        coverage = np.array([o.listening_coverage for o in outputs])
        capacity = np.array([o.answer_capacity for o in outputs])
        answered, median_days, backlog, answers, ids = kernels.kernels().service_day(
            self._rng_addresses.of(self.rng), day, t.brand, t.opened, t.detected, t.answered,
            t.origin, t.complainant, self.crisis_level > 0, coverage, capacity,
            self.questions_waiting, questions, c.patience_days, self.population.sentiment_bn,
            F32(c.answer_win_back), NEVER, LAPSED, self.population.knows_bn,
            self.population.day_sums(), kernels.SENTIMENT_SCALE)
        columns = zip(results, answered.tolist(), median_days.tolist(), backlog.tolist(),
                      answers.tolist(), strict=True)
        for r, answered_b, median_b, backlog_b, answers_b in columns:
            r.complaints_answered = answered_b
            r.median_response_days = median_b
            r.backlog = backlog_b
            r.answers = answers_b
        if len(ids):
            alive = t.answered[self.frontier_complaint] < 0  # not answered (open or lapsed)
            self.frontier_node = self.frontier_node[alive]
            self.frontier_complaint = self.frontier_complaint[alive]

    def _spread(self, day, exposures) -> None:
        if not len(self.frontier_node):
            return
        sharers, complaint = self.frontier_node, self.frontier_complaint
        self.frontier_node = np.empty(0, np.int64)
        self.frontier_complaint = np.empty(0, np.int64)
        network = self.population.network
        if self._compiled_sights(day) and not network.is_fully_mixed:
            sights = kernels.kernels().spread(
                self._rng_addresses.of(self.rng), day, sharers, complaint,
                self.see_share(sharers), self.table.brand, network.indptr, network.indices,
                *self._sight_state(exposures))
        else:
            owner, friend = network.gather(sharers, self.rng)
            seen = self.rng.random(len(friend)) < self.see_share(sharers)[owner]
            friend, complaint = friend[seen], complaint[owner[seen]]
            if not len(friend):
                return
            sights = self._first_sights(day, friend, self.table.brand[complaint], complaint,
                                        exposures)
        self._pass_on(day, *sights)

    def _expose(self, day, people, brands, complaint, exposures) -> None:
        """Complaints just posted: their authors pass them on whatever they saw before, and
        are newly exposed if they had not seen a complaint about the brand lately."""
        if not len(people):
            return
        self.frontier_node = np.concatenate([self.frontier_node, people])
        self.frontier_complaint = np.concatenate([self.frontier_complaint, complaint])
        self._first_sights(day, people, brands, complaint, exposures)

    def _compiled_sights(self, day: int) -> bool:
        """Whether today's first sights run compiled (simulation.compiled_rules): with 16-bit
        stamps only (see _fresh)."""
        return (self._compiled_rules and self._stamp.dtype != np.int32
                and day < STAMP_WRAP - self.config.refractory_days)

    def _sight_state(self, exposures) -> tuple:
        m = self.population
        return (self._stamp, self.config.refractory_days, STAMP_WRAP, self.table.size,
                exposures, m.sentiment_bn, m.knows_bn, F32(self.config.wom_sentiment_impact),
                m.day_sums(), kernels.SENTIMENT_SCALE)

    def _first_sights(self, day, people, brands, complaint, exposures) -> tuple:
        """First sight of a complaint about a brand within the refractory window: one per
        (person, brand) today. Returns who, which brand, which complaint, and whether they
        knew the brand before."""
        m, c, t = self.population, self.config, self.table
        if self._compiled_sights(day):
            return kernels.kernels().first_sights(
                self._rng_addresses.of(self.rng), day, people.astype(np.int64, copy=False),
                brands.astype(np.int64, copy=False), complaint, *self._sight_state(exposures))
        fresh = self._fresh(day, brands, people)
        people, brands, complaint = people[fresh], brands[fresh], complaint[fresh]
        # One exposure per (person, brand) today: keep a random one of duplicates.
        order = self.rng.permutation(len(people))
        people, brands, complaint = people[order], brands[order], complaint[order]
        _, first = np.unique(people.astype(np.int64) * m.n_brands + brands, return_index=True)
        people, brands, complaint = people[first], brands[first], complaint[first]
        self._stamp[brands, people] = day % STAMP_WRAP if self._stamp.dtype != np.int32 else day
        np.add.at(t.size, complaint, 1)
        exposures += np.bincount(brands, minlength=m.n_brands)
        m.lower_sentiment(brands, people, c.wom_sentiment_impact)
        knew = m.learn(brands, people)
        return people, brands, complaint, knew

    def _pass_on(self, day, people, brands, complaint, knew) -> None:
        """Who of those newly exposed passes the complaint on tomorrow (rule 4)."""
        c, t = self.config, self.table
        age = day - t.opened[complaint]
        p = (c.p_reshare * t.virality[complaint] * np.exp(-age / c.wom_decay_days)
             * np.where(knew, 1.0, c.unaware_reshare_factor)
             * self.reshare_activity(people) * self.response_factor[brands])
        passing = self.rng.random(len(people)) < p
        self.frontier_node = np.concatenate([self.frontier_node, people[passing]])
        self.frontier_complaint = np.concatenate([self.frontier_complaint, complaint[passing]])

    # ------------------------------------------------------------------------------------
    def _crises(self, day, outputs, exposures, results) -> None:
        m, c = self.population, self.config
        self.exposure_window[day % c.crisis_window_days] = exposures
        share = self.exposure_window.sum(axis=0) / m.n
        # The thresholds are validated strictly increasing, so the level is the number of them
        # reached (np.select over three brands cost 60 microseconds a day).
        level = ((share >= c.crisis_l1).astype(np.int64) + (share >= c.crisis_l2)
                 + (share >= c.crisis_l3))
        surging = (exposures / m.n >= c.crisis_alert_share).tolist()
        # The brands' crisis state as Python numbers for the loop, written back after it.
        crisis_level, response_day = self.crisis_level.tolist(), self.response_day.tolist()
        response_factor, quiet_days = self.response_factor.tolist(), self.quiet_days.tolist()
        for b, (r, today) in enumerate(zip(results, level.tolist(), strict=True)):
            active = crisis_level[b] > 0
            if today > crisis_level[b]:
                gained = today - crisis_level[b]
                r.crisis_started = not active
                r.crisis_escalation = gained
                crisis_level[b] = today
                self._crisis_churn(b, gained)
            # The response clock starts when the brand notices the surge: through its
            # listening while complaints surge, or at the latest when the crisis is public.
            noticed = crisis_level[b] > 0 or (
                surging[b] and self.rng.random() < outputs[b].listening_coverage)
            if noticed and response_day[b] < 0 and response_factor[b] == 1.0:
                delay = c.crisis_response_days_unprepared * (1 - outputs[b].preparedness)
                response_day[b] = day + int(round(delay))
            if response_day[b] == day:
                backfire = self.rng.random() < c.p_backfire_unprepared * (
                    1 - outputs[b].preparedness)
                response_factor[b] = 2.0 if backfire else 1 - c.crisis_response_effect
                response_day[b] = -1
                r.crisis_response = "backfire" if backfire else "good"
            calm = today == 0 and not surging[b]
            quiet_days[b] = quiet_days[b] + 1 if calm else 0
            if quiet_days[b] >= c.crisis_window_days and (
                    crisis_level[b] > 0 or response_factor[b] != 1.0):
                r.crisis_ended = crisis_level[b] > 0
                crisis_level[b] = 0
                response_day[b] = -1
                response_factor[b] = 1.0
            r.crisis_level = crisis_level[b]
        self.crisis_level[:] = crisis_level
        self.response_day[:] = response_day
        self.response_factor[:] = response_factor
        self.quiet_days[:] = quiet_days

    def _crisis_churn(self, b: int, levels: int) -> None:
        m = self.population
        buyers = np.flatnonzero(m.customer_bn[b])
        lost = buyers[self.rng.random(len(buyers)) < self.config.crisis_churn * levels]
        m.set_customer(lost, np.full(len(lost), b), False)

    def _exogenous(self, day, results: list[MarketDay]) -> None:
        rate = self.config.exogenous_crises_per_year / 365
        if rate <= 0:
            return
        for b, awareness in enumerate(self.brand_awareness):
            if self.rng.random() < rate * awareness**2:
                cause = CRISIS_CAUSES[int(self.rng.integers(0, len(CRISIS_CAUSES)))]
                virality = float(self.rng.lognormal(np.log(self.config.exogenous_virality),
                                                    self.config.exogenous_virality_sigma))
                self._inject(b, cause, virality, self.config.exogenous_seeds, day)
                results[b].notes.append(
                    ("crisis_injected", cause,
                     msg("An unplanned crisis hits: {cause} (virality {virality}).",
                         cause=term("crisis_cause", cause), virality=Number(virality, 1))))

    def inject(self, brand, cause: str, virality: float, n_seeds: int, day: int) -> str:
        """A crisis injected by the timeline or a user on ``day``; returns the log sentence."""
        self._inject(brand.index, cause, virality, n_seeds, day)
        what = CRISIS_CAUSE_TERMS[cause].sentence
        posters = (self.config.activists_per_seed * n_seeds
                   if CRISIS_CAUSE_TERMS[cause].seeding == SEED_ACTIVISTS else n_seeds)
        return nmsg("{what} (virality {virality}, first posted by {n} person).",
                    "{what} (virality {virality}, first posted by {n} people).", posters,
                    what=what, virality=Number(virality))

    def _inject(self, b: int, cause: str, virality: float, n_seeds: int, day: int) -> None:
        m = self.population
        degree = m.network.degree
        seeding = CRISIS_CAUSE_TERMS[cause].seeding
        if seeding == SEED_INFLUENCERS:
            # Posted by well-connected people: drawn from the top influencer_share by friends.
            top_k = max(n_seeds, int(m.n * self.config.influencer_share))
            top = np.argsort(degree, kind="stable")[-top_k:]
            seeds = self.rng.choice(top, size=min(n_seeds, len(top)), replace=False)
        elif seeding == SEED_ACTIVISTS:
            pool = m.n_engaging or m.n
            activists = self.config.activists_per_seed * n_seeds
            seeds = self.rng.choice(pool, size=min(activists, pool), replace=False)
        else:
            self.defect_until[b] = day + self.config.defect_days
            buyers = np.flatnonzero(m.customer_bn[b])
            pool = buyers if len(buyers) else np.arange(m.n)
            seeds = self.rng.choice(pool, size=min(n_seeds, len(pool)), replace=False)
        seeds = np.asarray(seeds, np.int64)
        exposures = np.zeros(m.n_brands, np.int64)
        k = len(seeds)
        self._open(day, seeds, np.full(k, b), ORIGINS.index(cause), exposures,
                   virality=np.full(k, virality))
        self.injected_exposures += exposures

    # ------------------------------------------------------------------------------------
    def open_complaint_brands(self, customer: int) -> set[int]:
        t = self.table
        mine = (t.complainant == customer) & (t.answered == NEVER)
        spreading = np.isin(np.flatnonzero(mine), self.frontier_complaint)
        waiting = t.detected[mine] != NEVER
        return set(t.brand[mine][spreading | waiting].tolist())
