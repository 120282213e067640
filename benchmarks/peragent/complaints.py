"""Rule 9 per agent: incidents, complaints, cascades, answers and crises (plain Python).

The rules are those of the module docstring of :mod:`simulation.complaints`, in the same order
each day: exogenous crises, incidents and public complaints, detection, answers (with capacity
and patience, questions after complaints), spread along friends, crisis levels and response.
A complaint is a small Python object; customers meet incidents and see complaints through their
own methods (:meth:`Customer.meet_incidents`, :meth:`Customer.see_complaint`).

Spread: everyone who passed a complaint on yesterday (the frontier) shows it to each friend in
turn. The frontier is shuffled first: a person reached by several complaints about one brand on
one day is hit by the first (the others fall in the refractory window), and in a random order
that first one is a uniformly random one, as in the vectorised ``_expose``.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulation.complaints import LAPSED, NEVER, ORIGINS, ComplaintTable

if TYPE_CHECKING:
    from simulation.exchange import DailyOutput, MarketDay

    from .customer import Customer
    from .market import Population



@dataclass(eq=False)
class Complaint:
    """One public complaint (or injected crisis post)."""

    id: int
    brand: int
    complainant: Customer
    opened: int
    virality: float
    origin: int  # index in ORIGINS
    detected: int = NEVER
    answered: int = NEVER  # day answered, LAPSED, or NEVER
    size: int = 0


class ComplaintRecords:
    """The complaints as a list of objects, read like the vectorised ``ComplaintTable``."""

    def __init__(self):
        self.rows: list[Complaint] = []

    @property
    def n(self) -> int:
        return len(self.rows)

    def as_table(self) -> ComplaintTable:
        table = ComplaintTable()
        if self.rows:
            table.append(**{name: [getattr(c, name) if name != "complainant"
                                   else c.complainant.index for c in self.rows]
                            for name in ComplaintTable.COLUMNS})
        return table

    def __getattr__(self, name):
        if name in ComplaintTable.COLUMNS and "rows" in self.__dict__:
            return getattr(self.as_table(), name)
        raise AttributeError(name)

    def to_frame(self):
        return self.as_table().to_frame()


class PerAgentComplaints:
    """Complaints, cascades, the customer-service queue and crises, for all brands."""

    def __init__(self, population: Population):
        self.population = population
        self.config = population.config.word_of_mouth
        nb = population.n_brands
        c = self.config
        self.table = ComplaintRecords()
        self.undetected: list[Complaint] = []  # not detected, not answered
        self.waiting: list[Complaint] = []  # customer complaints not answered (nor lapsed)
        self.frontier: list[tuple[Customer, Complaint]] = []
        self.questions_waiting = [[0] * nb for _ in range(c.patience_days)]  # by age in days
        self.exposure_window = [[0] * nb for _ in range(c.crisis_window_days)]
        self.injected_exposures = [0] * nb
        self.exposures = [0] * nb
        self.incidents = [0] * nb
        self.crisis_level = [0] * nb
        self.quiet_days = [0] * nb
        self.response_day = [-1] * nb
        self.response_factor = [1.0] * nb
        self.defect_until = [-1] * nb

    # ------------------------------------------------------------------------------------
    def step(self, day: int, outputs: list[DailyOutput], questions: list[int],
             results: list[MarketDay]) -> None:
        p = self.population
        nb = p.n_brands
        self._exogenous(day, results)
        self.exposures = list(self.injected_exposures)
        self.injected_exposures = [0] * nb
        # 1. Incidents and public complaints, customer by customer.
        self.incidents = [0] * nb
        n_before = self.table.n
        p.incident_rates = [o.incident_rate * (self.config.defect_incident_multiplier
                                               if self.defect_until[b] >= day else 1.0)
                            for b, o in enumerate(outputs)]
        p.customers.do("meet_incidents")
        new = [0] * nb
        for complaint in self.table.rows[n_before:]:
            if complaint.origin == 0:
                new[complaint.brand] += 1
        for b, r in enumerate(results):
            r.incidents = self.incidents[b]
            r.complaints_new = new[b]
        self._detect(day, outputs)
        self._answer(day, outputs, questions, results)
        self._spread(day)
        self._crises(day, outputs, results)
        spreading = {id(complaint) for _, complaint in self.frontier}
        open_counts = [0] * nb
        seen: set[int] = set()
        for complaint in self.waiting + [c for _, c in self.frontier]:
            if id(complaint) in seen or complaint.answered != NEVER:
                continue
            seen.add(id(complaint))
            if (complaint.detected != NEVER and complaint.origin == 0) or (
                    id(complaint) in spreading):
                open_counts[complaint.brand] += 1
        for b, r in enumerate(results):
            r.negative_exposures = self.exposures[b]
            r.complaints_open = open_counts[b]

    def open(self, author: Customer, b: int, origin: int, virality: float | None = None,
             ) -> Complaint:
        """A complaint posted by ``author``, who is its first sharer."""
        p = self.population
        if virality is None:
            virality = float(p.rng.lognormal(0.0, self.config.virality_sigma))
        complaint = Complaint(self.table.n, b, author, p.day, virality, origin)
        self.table.rows.append(complaint)
        self.undetected.append(complaint)
        if origin == 0:
            self.waiting.append(complaint)
        author.post_complaint(complaint)
        return complaint

    # ------------------------------------------------------------------------------------
    def _detect(self, day: int, outputs: list[DailyOutput]) -> None:
        uniform = self.population.uniform
        still = []
        for complaint in self.undetected:
            b = complaint.brand
            if self.crisis_level[b] > 0 or uniform() < outputs[b].listening_coverage:
                complaint.detected = day
            else:
                still.append(complaint)
        self.undetected = still

    def _answer(self, day: int, outputs: list[DailyOutput], questions: list[int],
                results: list[MarketDay]) -> None:
        p, c = self.population, self.config
        for complaint in self.waiting:
            if complaint.opened <= day - c.patience_days:  # the author gave up
                complaint.answered = LAPSED
        self.waiting = [x for x in self.waiting if x.answered == NEVER]
        self.undetected = [x for x in self.undetected if x.answered == NEVER]
        queue = sorted((x for x in self.waiting if x.detected != NEVER),
                       key=lambda x: (x.detected, x.id))
        self.questions_waiting.insert(0, list(questions))
        self.questions_waiting.pop()  # older than patience_days: given up
        answered: list[Complaint] = []
        for b, output in enumerate(outputs):
            capacity = output.answer_capacity
            n_answers = int(capacity) + int(p.uniform() < capacity - int(capacity))
            in_queue = [x for x in queue if x.brand == b]
            mine = in_queue[:n_answers]
            answered += mine
            left = n_answers - len(mine)
            answered_questions = 0
            for age in range(c.patience_days - 1, -1, -1):  # oldest first
                take = min(left - answered_questions, self.questions_waiting[age][b])
                self.questions_waiting[age][b] -= take
                answered_questions += take
            r = results[b]
            r.complaints_answered = len(mine)
            r.median_response_days = (float(statistics.median(day - x.opened for x in mine))
                                      if mine else float("nan"))
            r.backlog = (len(in_queue) - len(mine)
                         + sum(self.questions_waiting[age][b] for age in range(c.patience_days)))
            r.answers = len(mine) + answered_questions
        for complaint in answered:
            complaint.answered = day
            b = complaint.brand
            author = complaint.complainant
            author.sentiment[b] = min(1.0, author.sentiment[b] + c.answer_win_back)
        if answered:
            self.waiting = [x for x in self.waiting if x.answered == NEVER]
            # An answered complaint stops spreading (a lapsed one goes on).
            self.frontier = [(who, x) for who, x in self.frontier if x.answered < 0]

    def _spread(self, day: int) -> None:
        p = self.population
        sharers = self.frontier
        self.frontier = []
        if not sharers:
            return
        order = p.rng.permutation(len(sharers))
        uniform = p.uniform
        for k in order:
            sharer, complaint = sharers[k]
            for friend in sharer.contacts():
                if uniform() < sharer.see_share and friend.see_complaint(complaint):
                    self.frontier.append((friend, complaint))

    # ------------------------------------------------------------------------------------
    def _crises(self, day: int, outputs: list[DailyOutput], results: list[MarketDay]) -> None:
        p, c = self.population, self.config
        self.exposure_window[day % c.crisis_window_days] = list(self.exposures)
        for b, r in enumerate(results):
            share = sum(row[b] for row in self.exposure_window) / p.n
            level = (3 if share >= c.crisis_l3 else 2 if share >= c.crisis_l2
                     else 1 if share >= c.crisis_l1 else 0)
            surging = self.exposures[b] / p.n >= c.crisis_alert_share
            active = self.crisis_level[b] > 0
            if level > self.crisis_level[b]:
                gained = level - self.crisis_level[b]
                r.crisis_started = not active
                r.crisis_escalation = gained
                self.crisis_level[b] = level
                self._crisis_churn(b, gained)
            noticed = self.crisis_level[b] > 0 or (
                surging and p.uniform() < outputs[b].listening_coverage)
            if noticed and self.response_day[b] < 0 and self.response_factor[b] == 1.0:
                delay = c.crisis_response_days_unprepared * (1 - outputs[b].preparedness)
                self.response_day[b] = day + int(round(delay))
            if self.response_day[b] == day:
                backfire = p.uniform() < c.p_backfire_unprepared * (1 - outputs[b].preparedness)
                # Backfire: heavy-handed moderation doubles passing-on.
                self.response_factor[b] = 2.0 if backfire else 1 - c.crisis_response_effect
                self.response_day[b] = -1
                r.crisis_response = "backfire" if backfire else "good"
            calm = level == 0 and not surging
            self.quiet_days[b] = self.quiet_days[b] + 1 if calm else 0
            if self.quiet_days[b] >= c.crisis_window_days and (
                    self.crisis_level[b] > 0 or self.response_factor[b] != 1.0):
                r.crisis_ended = self.crisis_level[b] > 0
                self.crisis_level[b] = 0
                self.response_day[b] = -1
                self.response_factor[b] = 1.0
            r.crisis_level = self.crisis_level[b]

    def _crisis_churn(self, b: int, levels: int) -> None:
        p = self.population
        for customer in p.by_index:
            if customer.customer[b] and p.uniform() < self.config.crisis_churn * levels:
                customer.set_customer(b, False)

    def _exogenous(self, day: int, results: list[MarketDay]) -> None:
        p = self.population
        rate = self.config.exogenous_crises_per_year / 365
        if rate <= 0:
            return
        for b, brand in enumerate(p.config.brands.values()):
            if p.uniform() < rate * brand.awareness**2:
                cause = ORIGINS[1 + int(p.rng.integers(0, 3))]
                virality = float(p.rng.lognormal(math.log(self.config.exogenous_virality),
                                                 self.config.exogenous_virality_sigma))
                self.inject(b, cause, virality, self.config.exogenous_seeds, day)
                results[b].notes.append(
                    ("crisis_injected", cause,
                     f"An unplanned crisis hits: {cause.replace('_', ' ')} "
                     f"(virality {virality:.1f})."))

    def inject(self, b: int, cause: str, virality: float, n_seeds: int, day: int) -> None:
        """A crisis: a complaint of the given virality first posted by several people."""
        p = self.population
        p.day = day  # a crisis injected before the day's step is posted that day
        if cause == "employee_video":
            by_degree = sorted(p.by_index, key=lambda x: len(x.friends))  # stable, as argsort
            top = by_degree[-max(n_seeds, int(p.n * self.config.influencer_share)):]
            picks = p.rng.choice(len(top), size=min(n_seeds, len(top)), replace=False)
            seeds = [top[k] for k in picks]
        elif cause == "ngo_attack":
            pool = p.n_engaging or p.n
            picks = p.rng.choice(pool, size=min(self.config.activists_per_seed * n_seeds, pool),
                                 replace=False)
            seeds = [p.by_index[k] for k in picks]
        else:
            self.defect_until[b] = day + self.config.defect_days
            buyers = [x for x in p.by_index if x.customer[b]] or p.by_index
            picks = p.rng.choice(len(buyers), size=min(n_seeds, len(buyers)), replace=False)
            seeds = [buyers[k] for k in picks]
        saved = self.exposures
        self.exposures = [0] * p.n_brands
        for author in seeds:
            self.open(author, b, ORIGINS.index(cause), virality=virality)
        self.injected_exposures = [a + e for a, e in zip(self.injected_exposures, self.exposures,
                                                         strict=True)]
        self.exposures = saved
