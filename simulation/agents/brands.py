"""Brands: the organisation that turns departments' practice into a daily social-media output.

Each day a brand (1) plans its output from its departments and agencies, (2) sees the market's
answer, and (3) reacts. The rules:

- Internal network. Departments are linked according to the brand's organisational model
  (Altimeter): decentralised, a ring of departments with no centre; centralised, the hub
  department linked to each other department and nothing else (so a department never has two
  adopting neighbours: peer influence cannot spread); hub and spoke, the hub linked to all plus
  natural affinities between departments (weight hub_affinity_weight); multiple hub and spoke, three hubs (the
  hub department, communication, customer service) linked to all, and the affinities at full
  weight; holistic, everyone linked to everyone. The turf war weakens the marketing-communication
  link by (1 - turf_war).
- Output. Marketing and communication produce the planned posts (posts_per_day, mix, push
  share) within their capacity (hours_per_post each), less the turf-war loss; each other
  department contributes contribution_posts_per_day x adoption² conversational posts of its own
  type (customer service: customer service; CRM: discounts; PR: reviews; quality: product info;
  R&D: exclusive; HR: feel connected); agencies add their campaigns. Customer service answers
  capacity x (u + (1 - u) x skill) / hours_per_answer (u = untrained_answer_speed) complaints or questions a day in the real
  market, that is divided by market_size / n_customers in simulated requests. Listening
  catches listening_coverage of public complaints per day: the larger of the tool's coverage
  (bought by the listening intervention, paid for by the year) and what practising departments
  catch by hand, practice_listening_coverage x m², m the mean adoption of marketing,
  communication, PR and customer service (squared like the departments' own posts: watching
  mentions by hand becomes systematic only once the practice is widespread). Social CRM turns an engagement into a sale with p_conversion x
  crm_integration x CRM adoption.
- Social CRM is an adoption process of its own: integration grows each day by
  listening_coverage x mean(CRM, customer-service adoption) x (1 - integration) /
  social_crm_days, while the year's budget lasts (integration work stops when it is spent).
  The listening intervention accelerates it (integration jumps to at least the intervention's
  level) but is not the only way in. Incidents fall as quality and
  R&D act on insights: the cut grows toward insight_effect at a pace listening x mean(quality,
  R&D adoption) / insight_days. Preparedness is the larger of the crisis plan and listening x
  mean(PR, customer service adoption).
- Money. Daily cost: staff hours x hourly_cost, agency fees, the listening tool, ads, training.
  When the year's spending reaches the budget, ads and agency campaigns stop until the next
  year (day 365, 730, ...).
- Reaction. Visible results follow return on social spend r = mean value / mean cost, read
  through r / (1 + r), where value = (social sales x revenue + engagements x
  value_per_engagement) x (market_size / n_customers) and both means are moving averages over
  results_memory_days. Customer service's load is the requests it could work on (answered
  today + waiting), as a moving average over help_desk_memory_days, divided by its answering
  capacity and capped at 1; its proactive share is 1 - load. Every average is taken before the
  non-linear reading (ratio, cap): one simulated sale or request stands for many real ones, so
  daily values are lumpy at small populations, and reading each day first would make the
  organisation depend on how many customers are simulated. Each crisis level
  gained raises executive awareness by crisis_awareness_boost (other departments by
  crisis_boost_other_departments of it), and leaves crisis_lesson_share of that as a lasting
  lesson.
- Sponsorship follows the larger of executive awareness and any explicit commitment, closing
  1 / sponsorship_days of the gap per day.
- Phase and help-desk flag: :func:`simulation.metrics.classify_phase` and
  :func:`simulation.metrics.is_help_desk`; a new phase, or a change of the flag, is recorded
  once it has held confirm_days days in a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..classifier import classify_phase, is_help_desk, maturity_index
from ..config import CONTENT_TYPES, DEPARTMENTS, BrandConfig, mix_shares
from ..exchange import DailyOutput, MarketDay
from ..i18n import Join, Money, Number, Percent, msg, nmsg, term
from ..vocabulary import CONTRIBUTED_TYPE, DEPARTMENT_AFFINITIES
from .departments import Department

if TYPE_CHECKING:
    from ..events import Training
    from .agencies import Agency

def internal_network(model_name: str, hub: str, turf_war: float,
                     hub_affinity: float = 0.5) -> np.ndarray:
    """Weights between departments (DEPARTMENTS order) for an organisational model."""
    n = len(DEPARTMENTS)
    idx = {d: i for i, d in enumerate(DEPARTMENTS)}
    w = np.zeros((n, n))

    def link(a: str, b: str, weight: float) -> None:
        if a != b:
            w[idx[a], idx[b]] = w[idx[b], idx[a]] = max(w[idx[a], idx[b]], weight)

    if model_name == "decentralised":
        for i in range(n):
            link(DEPARTMENTS[i], DEPARTMENTS[(i + 1) % n], 1.0)
    elif model_name == "centralised":
        for d in DEPARTMENTS:
            link(hub, d, 1.0)
    elif model_name in ("hub_and_spoke", "multiple_hub_and_spoke"):
        hubs = [hub] if model_name == "hub_and_spoke" else [hub, "communication",
                                                              "customer_service"]
        affinity = hub_affinity if model_name == "hub_and_spoke" else 1.0
        for h in hubs:
            for d in DEPARTMENTS:
                link(h, d, 1.0)
        for a, b in DEPARTMENT_AFFINITIES:
            link(a, b, affinity)
    else:  # holistic
        w[:] = 1.0
        np.fill_diagonal(w, 0.0)
    m, c = idx["marketing"], idx["communication"]
    w[m, c] = w[c, m] = w[m, c] * (1 - turf_war)
    return w


class Brand(mesa.Agent):
    """A brand: departments, strategy, means, and its reading of the market."""

    def __init__(self, model: mesa.Model, name: str, index: int, config: BrandConfig):
        super().__init__(model)
        self.name = name
        self.index = index
        self.config = config
        # The brand's own stream of the organisation's randomness (departments' draws), spawned
        # so that adding a brand does not reshuffle the others' draws or the agencies'.
        self.org_rng = model.org_rng.spawn(1)[0]
        self.departments = {
            kind: Department(model, self, kind, i, config.departments[kind], self.org_rng)
            for i, kind in enumerate(DEPARTMENTS)
        }
        self.peer_weights = internal_network(config.organisational_model, config.hub_department,
                                             config.culture.turf_war,
                                             model.config.organisation.hub_affinity_weight)
        # Strategy (changed by interventions).
        self.posts_per_day = config.content.posts_per_day
        self.mix = config.content.mix
        self.push_share = config.content.push_share
        self.listening_tool = config.listening_coverage  # coverage of the tool bought
        self.crm_integration = config.crm_integration
        self.agencies: list[Agency] = []
        self.commitment = 0.0
        # State.
        self.sponsorship = self.departments["executive"].awareness
        self.results = 0.0
        self.incident_cut = 0.0
        self.mean_value = 0.0  # moving averages over results_memory_days
        self.mean_cost = 0.0
        self.mean_requests = 0.0  # moving average over help_desk_memory_days
        self.service_load = 0.0  # min(1, mean_requests / answering capacity)
        self.proactive_share = 1.0  # 1 - service_load
        self.mean_backlog = 0.0  # moving average over help_desk_memory_days
        self.in_house_share = 1.0
        self.trainings: list[tuple[Training, int, dict[str, float]]] = []
        self.training_budget_left = config.training_budget
        self.spent_this_year = 0.0
        self.budget_exhausted = False
        self.cost_today = 0.0
        self.cumulative_cost = 0.0
        self.social_revenue_today = 0.0
        self.cumulative_social_revenue = 0.0
        self.training_cost_today = 0.0
        self.output: DailyOutput | None = None
        self.today = MarketDay()
        confirm = model.config.classifier.confirm_days
        self._phase = Confirmed(
            classify_phase(self, model.config.classifier, model.config.organisation), confirm)
        self._help_desk = Confirmed(False, confirm)

    # ------------------------------------------------------------------------------------
    # Derived views
    @property
    def phase(self) -> int:
        return self._phase.value

    @property
    def help_desk(self) -> bool:
        return self._help_desk.value

    @property
    def can_spend(self) -> bool:
        return not self.budget_exhausted

    @property
    def listening_coverage(self) -> float:
        """The tool's coverage, or what practising departments catch by hand if larger."""
        d = self.departments
        mean_adoption = (d["marketing"].adoption + d["communication"].adoption
                         + d["pr"].adoption + d["customer_service"].adoption) / 4
        practice = self.model.config.organisation.practice_listening_coverage * mean_adoption**2
        return max(self.listening_tool, practice)

    @property
    def integration(self) -> float:
        return self.listening_coverage * self.crm_integration

    @property
    def maturity(self) -> float:
        return maturity_index(self)

    def adopting_vector(self) -> np.ndarray:
        return np.array([d.adopting for d in self.departments.values()], dtype=float)

    def adoption(self, kind: str) -> float:
        return self.departments[kind].adoption

    def turf_factor(self, kind: str) -> float:
        if kind not in ("marketing", "communication"):
            return 1.0
        gap = abs(self.adoption("marketing") - self.adoption("communication"))
        return 1 - self.config.culture.turf_war * (1 - gap)

    # ------------------------------------------------------------------------------------
    # 1. Plan the day
    def plan_day(self) -> DailyOutput:
        o = self.model.config.organisation
        wom = self.model.config.word_of_mouth
        d = self.departments
        turf_loss = self.config.culture.turf_war * o.turf_war_capacity_loss
        content_hours = (d["marketing"].capacity_hours + d["communication"].capacity_hours) * (
            1 - turf_loss)
        own_posts = min(self.posts_per_day, content_hours / o.hours_per_post)
        posts = own_posts * mix_shares(self.mix)
        push_posts = own_posts * self.push_share
        for kind, content in CONTRIBUTED_TYPE.items():
            posts[CONTENT_TYPES.index(content)] += o.contribution_posts_per_day * (
                d[kind].adoption ** 2)
        agency_posts = 0.0
        for agency in self.agencies:
            extra = agency.campaign_posts(self)
            posts += extra
            agency_posts += extra.sum()
            push_posts += extra.sum() * agency.push_orientation
        total = posts.sum()
        # Learning by doing: an agency that converses works with the brand's teams (its
        # conversational posts count as in-house practice); one that pushes works instead of them.
        pushed_by_agencies = sum(a.campaign_posts(self).sum() * a.push_orientation
                                 for a in self.agencies)
        self.in_house_share = 1 - pushed_by_agencies / total if total > 0 else 1.0
        recruitment = self.config.recruitment_p if self.can_spend else 0.0
        recruitment += sum(a.config.campaign_recruitment_p for a in self.agencies
                           if a.campaign_running(self) and self.can_spend)
        cs = d["customer_service"]
        insight_pace = self.listening_coverage * (d["quality"].adoption + d["rnd"].adoption) / 2
        self.incident_cut += insight_pace * (wom.insight_effect - self.incident_cut) / (
            wom.insight_days)
        self.output = DailyOutput(
            posts_by_type=posts,
            push_share=float(push_posts / total) if total > 0 else 0.0,
            agency_posts=float(agency_posts),
            recruitment_p=recruitment,
            answer_capacity=cs.capacity_hours / self.hours_per_simulated_answer(),
            listening_coverage=self.listening_coverage,
            conversion=(self.model.config.behaviour.p_conversion * self.crm_integration
                        * d["crm"].adoption),
            incident_rate=self.config.incident_rate * (1 - self.incident_cut),
            preparedness=self.preparedness,
        )
        self._spend()
        return self.output

    def hours_per_simulated_answer(self) -> float:
        """Staff time for one simulated request: trained staff answer faster (up to twice), and
        one simulated request stands for market_size / n_customers real ones."""
        cfg = self.model.config
        skill = self.departments["customer_service"].skill
        u = cfg.organisation.untrained_answer_speed
        return (cfg.word_of_mouth.hours_per_answer / (u + (1 - u) * skill)
                * cfg.market.people_per_customer)

    @property
    def preparedness(self) -> float:
        d = self.departments
        listening_readiness = self.listening_coverage * (
            d["pr"].adoption + d["customer_service"].adoption) / 2
        return max(self.config.crisis_preparedness, listening_readiness)

    def _spend(self) -> None:
        o = self.model.config.organisation
        day = self.model.time_day
        if day % 365 == 0 and day > 0:
            self.spent_this_year = 0.0
            self.budget_exhausted = False
        staff = sum(dep.capacity_hours for dep in self.departments.values()) * o.hourly_cost
        fees = sum(a.daily_fee() for a in self.agencies)
        tools = o.listening_cost_per_year / 365 * self.listening_tool
        ads = self.config.ads_per_day if self.can_spend else 0.0
        self.cost_today = staff + fees + tools + ads + self.training_cost_today
        self.training_cost_today = 0.0
        self.cumulative_cost += self.cost_today
        self.spent_this_year += self.cost_today
        if not self.budget_exhausted and self.spent_this_year >= self.config.budget:
            self.budget_exhausted = True
            self.model.log(self, "budget", "budget", msg(
                "{brand} has spent its yearly budget of {budget}: ads and agency campaigns "
                "stop until the next year.", brand=self.name, budget=Money(self.config.budget)))

    # ------------------------------------------------------------------------------------
    # 2. See the market's answer
    def absorb(self, day: MarketDay) -> None:
        o = self.model.config.organisation
        wom = self.model.config.word_of_mouth
        self.today = day
        # Simulated customers stand for market_size real people: money is counted for them.
        scale = self.model.config.market.people_per_customer
        self.social_revenue_today = day.social_sales * self.config.revenue_per_sale * scale
        self.cumulative_social_revenue += self.social_revenue_today
        value = self.social_revenue_today + day.engagements * o.value_per_engagement * scale
        # Averages first, non-linear reading after: one simulated sale or request stands for
        # people_per_customer real ones, so daily values are lumpy, and a concave or clipped
        # function of a lumpy day is biased by the population size (Jensen's inequality).
        memory = o.results_memory_days
        self.mean_value += (value - self.mean_value) / memory
        self.mean_cost += (self.cost_today - self.mean_cost) / memory
        ratio = self.mean_value / self.mean_cost if self.mean_cost > 0 else 0.0
        self.results = ratio / (1 + ratio)
        # Customer service's load: the requests it could work on today (answered + waiting),
        # averaged over help_desk_memory_days, as a share of its answering capacity, capped at
        # 1. The cap comes after the average: at a small population the simulated queue of a
        # swamped team still empties on some days by chance, when the real one never would.
        memory = self.model.config.classifier.help_desk_memory_days
        capacity = self.output.answer_capacity if self.output else 0.0
        self.mean_requests += (day.answers + day.backlog - self.mean_requests) / memory
        self.service_load = min(1.0, self.mean_requests / capacity) if capacity > 0 else 1.0
        self.proactive_share = 1 - self.service_load
        self.mean_backlog += (day.backlog - self.mean_backlog) / memory
        if day.crisis_escalation:
            boost = wom.crisis_awareness_boost * day.crisis_escalation
            for kind, dep in self.departments.items():
                share = 1.0 if kind == "executive" else o.crisis_boost_other_departments
                dep.raise_awareness(boost * share, lasting=boost * share * o.crisis_lesson_share)
            level = day.crisis_level
            if day.crisis_started:
                text = nmsg("Crisis level {level} for {brand}: {n} person saw complaints "
                            "today. Executives wake up.",
                            "Crisis level {level} for {brand}: {n} people saw complaints "
                            "today. Executives wake up.", day.negative_exposures,
                            level=level, brand=self.name)
                self.model.log(self, "crisis_start", f"L{level}", text)
            else:
                self.model.log(self, "crisis_escalation", f"L{level}",
                               msg("The crisis at {brand} escalates to level {level}.",
                                   brand=self.name, level=level))
        if day.crisis_response:
            text = (msg("{brand} responds publicly to the crisis: the response backfires "
                        "(heavy-handed moderation).", brand=self.name)
                    if day.crisis_response == "backfire" else
                    msg("{brand} responds publicly to the crisis, which calms the spread.",
                        brand=self.name))
            self.model.log(self, "crisis_response", day.crisis_response, text)
        if day.crisis_ended:
            self.model.log(self, "crisis_end", "", msg("The crisis at {brand} is over.",
                                                       brand=self.name))

    # ------------------------------------------------------------------------------------
    # 3. React: training, sponsorship, phase
    def progress_training(self) -> None:
        gain = self.model.config.organisation.training_awareness_gain
        still = []
        for programme, start, targets in self.trainings:
            for kind, target in targets.items():
                dep = self.departments[kind]
                step = max(0.0, (target - dep.trained_share)) / max(
                    1, start + programme.duration_days - self.model.time_day)
                dep.trained_share = min(1.0, dep.trained_share + step)
                dep.raise_awareness(gain * step)
            if self.model.time_day < start + programme.duration_days:
                still.append((programme, start, targets))
        self.trainings = still

    def update_social_crm(self) -> None:
        """Integration of listening with CRM grows with practice (module docstring)."""
        if not self.can_spend:
            return
        o = self.model.config.organisation
        d = self.departments
        pace = self.listening_coverage * (d["crm"].adoption + d["customer_service"].adoption) / 2
        self.crm_integration += pace * (1 - self.crm_integration) / o.social_crm_days

    def update_sponsorship(self) -> None:
        days = self.model.config.organisation.sponsorship_days
        target = max(self.departments["executive"].awareness, self.commitment)
        self.sponsorship += (target - self.sponsorship) / days

    def update_phase(self) -> None:
        cfg = self.model.config
        old = self._phase.value
        if self._phase.update(classify_phase(self, cfg.classifier, cfg.organisation)):
            new = self.phase
            self.model.log(self, "phase_change", f"{old}->{new}",
                           msg("{brand} moves from phase {old} ({old_name}) to phase {new} "
                               "({new_name}).", brand=self.name, old=old,
                               old_name=term("phase", old), new=new,
                               new_name=term("phase", new)))
        if self._help_desk.update(is_help_desk(self, cfg.classifier)):
            if self.help_desk:
                waiting = self.mean_backlog * cfg.market.people_per_customer
                text = msg("{brand}'s customer service has become a help desk: about "
                           "{waiting} requests wait and only {share} of its time is left for "
                           "proactive work.", brand=self.name, waiting=Number(waiting, 0),
                           share=Percent(self.proactive_share))
            else:
                text = msg("{brand}'s customer service has time for proactive work again.",
                           brand=self.name)
            self.model.log(self, "help_desk", "entered" if self.help_desk else "left", text)

    def review_agencies(self) -> None:
        """A brand whose marketing has adopted drops agencies whose content engages less."""
        cfg = self.model.config
        if not self.agencies or not self.departments["marketing"].adopting:
            return
        own = content_quality(mix_shares(self.mix), self.push_share, cfg)
        for agency in list(self.agencies):
            theirs = content_quality(agency.mix, agency.push_orientation, cfg)
            if own > 0 and theirs < cfg.organisation.agency_drop_ratio * own:
                agency.end_contract(self)
                self.agencies.remove(agency)
                self.model.log(self, "agency_dropped", agency.name,
                               msg("{brand} drops {agency}: its campaigns engage {ratio} as "
                                   "well as the brand's own posts.", brand=self.name,
                                   agency=agency.name, ratio=Percent(theirs / own)))

    # ------------------------------------------------------------------------------------
    # Interventions (called through simulation.model.HANDLERS)
    def start_training(self, programme: Training) -> str:
        o = self.model.config.organisation
        wanted = {k: max(self.departments[k].trained_share, programme.coverage)
                  for k in programme.departments}
        trainees = sum((wanted[k] - self.departments[k].trained_share)
                       * self.departments[k].headcount for k in wanted)
        cost = trainees * o.cost_per_trainee
        note = ""
        if cost > self.training_budget_left and cost > 0:
            fraction = self.training_budget_left / cost
            wanted = {k: self.departments[k].trained_share
                      + fraction * (v - self.departments[k].trained_share)
                      for k, v in wanted.items()}
            note = msg(" The training budget only pays for {share} of it ({left} left).",
                       share=Percent(fraction), left=Money(self.training_budget_left))
            cost = self.training_budget_left
        self.training_budget_left -= cost
        self.training_cost_today += cost
        self.trainings.append((programme, programme.day, wanted))
        return msg("{brand} starts a {days}-day training programme for {departments} (target "
                   "{coverage} of staff, {cost}).{note}", brand=self.name,
                   days=programme.duration_days, coverage=Percent(programme.coverage),
                   departments=Join(term("department", k) for k in programme.departments),
                   cost=Money(cost), note=note)

    def commit_executive(self, level: float) -> str:
        self.commitment = level
        self.departments["executive"].raise_awareness(
            max(0.0, level - self.departments["executive"].awareness))
        return msg("{brand}'s executive committee sponsors the transformation (level {level}).",
                   brand=self.name, level=Number(level))

    def hire(self, kind: str, hours: float) -> str:
        self.departments[kind].capacity_hours += hours
        return msg("{brand} adds {hours} hours a day of social-media staff to {department}.",
                   brand=self.name, hours=Number(hours), department=term("department", kind))

    def change_content(self, posts_per_day, mix, push_share) -> str:
        changes = []
        if posts_per_day is not None:
            self.posts_per_day = posts_per_day
            changes.append(msg("{n} posts a day", n=Number(posts_per_day)))
        if mix is not None:
            self.mix = mix
            changes.append(msg("mix '{mix}'", mix=mix) if isinstance(mix, str)
                           else msg("a new content mix"))
        if push_share is not None:
            self.push_share = push_share
            changes.append(msg("{share} push posts", share=Percent(push_share)))
        return msg("{brand} changes its content strategy: {changes}.", brand=self.name,
                   changes=Join(changes) if changes else msg("no change"))

    def deploy_listening(self, coverage: float, crm_integration: float) -> str:
        self.listening_tool = coverage
        # A CRM project accelerates integration; it does not undo what practice has built.
        self.crm_integration = max(self.crm_integration, crm_integration)
        return msg("{brand} deploys listening ({coverage} of mentions) and integrates it with "
                   "CRM at {crm} (social CRM).", brand=self.name, coverage=Percent(coverage),
                   crm=Percent(crm_integration))

    def switch_agency(self, new: str, replaces: str) -> str:
        ended = [a for a in self.agencies if not replaces or a.name == replaces]
        for agency in ended:
            agency.end_contract(self)
            self.agencies.remove(agency)
        names = Join(a.name for a in ended) if ended else msg("no one")
        if new:
            agency = self.model.agencies[new]
            agency.sign(self)
            if agency not in self.agencies:
                self.agencies.append(agency)
            return msg("{brand} ends its contract with {ended} and signs with {new}.",
                       brand=self.name, ended=names, new=new)
        return msg("{brand} ends its contract with {ended}.", brand=self.name, ended=names)


class Confirmed:
    """A state that changes only after its new value has held ``days`` days in a row."""

    def __init__(self, value, days: int):
        self.value = value
        self.days = days
        self._candidate = value
        self._held = 0

    def update(self, candidate) -> bool:
        """Feed today's raw value; True when the confirmed value changes today."""
        if candidate == self.value:
            self._held = 0
            return False
        self._held = self._held + 1 if candidate == self._candidate else 1
        self._candidate = candidate
        if self._held >= self.days:
            self.value, self._held = candidate, 0
            return True
        return False


def content_quality(mix: np.ndarray, push_share: float, config) -> float:
    """Expected engagement of a content mix relative to a perfectly matched one.

    What a brand can read in its listening: how well a mix matches the population's stated
    motivations, times the loss from push beyond customers' tolerance.
    """
    b = config.behaviour
    motivations = np.array([config.market.motivations.get(k, 0.0) for k in CONTENT_TYPES])
    push_factor = max(0.0, 1 - b.push_engagement_penalty * max(0.0, push_share - b.push_tolerance))
    return float(mix @ motivations) * push_factor
