"""The ground floor: every name the simulator uses for a thing of the domain, declared once.

Departments (and the role each plays), content types, named content mixes, crisis causes (with
the sentence the event log says and the rule that picks who posts first), intervention kinds,
organisational models, network shapes and maturity phases. Each term has an internal ``id``
(what a scenario file, a column name or a log row says), a human ``label`` (what the dashboard
shows: users never see an id) and a one-line ``help``, both in English and French (the
catalogue of simulation.i18n).

Rules:
- This module imports nothing from the rest of the package, so every other module (config,
  events, the customers' and complaints' rules, the agents, the dashboard) can import it without
  a circle.
- No other module spells one of these ids as a literal where it means the set (tests and docs
  aside): it iterates the tuples below, or looks a term up by id.
- Numbers with sources (IBM's motivation shares, Altimeter's model shares) live in
  :mod:`simulation.config`, where they are parameters; only names and words live here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .i18n import _l  # i18n imports nothing from the package either: no circle


@dataclass(frozen=True)
class Term:
    """One name of the domain: the id used in files and data, the label shown to users.

    ``label`` and ``help`` are lazy strings of the catalogue (simulation.i18n ``_l``): they read
    in the language of the moment wherever they are shown; the id never changes.
    """

    id: str
    label: str
    help: str = ""


def _by_id[T: Term](terms: Iterable[T]) -> Mapping[str, T]:
    table = {t.id: t for t in terms}
    return table


def label_of(table: Mapping[str, Term], term_id: str) -> str:
    """The label of ``term_id`` in ``table``, or the id made readable if it is not there."""
    term = table.get(term_id)
    return term.label if term else term_id.replace("_", " ")


# --------------------------------------------------------------------------------------------
# Content types: the reasons customers give for interacting with brands (IBM 2011).


CONTENT_TYPE_TERMS = _by_id((
    Term("discounts", _l("Discounts"), _l("Coupons, promotions, price cuts.")),
    Term("purchase", _l("Purchase"), _l("Buying directly from the brand's page.")),
    Term("reviews", _l("Reviews"), _l("Product reviews and ratings.")),
    Term("product_info", _l("Product information"), _l("What the product is and does.")),
    Term("exclusive", _l("Exclusive information"), _l("Early or members-only news.")),
    Term("customer_service", _l("Customer service"), _l("Answers to questions and complaints.")),
    Term("feel_connected", _l("Feel connected"), _l("Being part of the brand's story.")),
    Term("community", _l("Community"), _l("Talking with other customers.")),
))
CONTENT_TYPES: tuple[str, ...] = tuple(CONTENT_TYPE_TERMS)


# --------------------------------------------------------------------------------------------
# Departments and their roles


@dataclass(frozen=True)
class DepartmentTerm(Term):
    """A department, with the part it plays in the brand's social-media output.

    ``makes_content``: it produces the brand's planned posts (marketing, communication).
    ``contributes``: the content type of the conversational posts it adds once it adopts.
    ``answers``: it answers complaints and questions (its capacity is the help desk).
    """

    makes_content: bool = False
    contributes: str | None = None
    answers: bool = False


DEPARTMENT_TERMS = _by_id((
    DepartmentTerm("executive", _l("Executive"), _l("General management: sponsors (or not) the "
                   "transformation.")),
    DepartmentTerm("marketing", _l("Marketing"), _l("Campaigns, brand pages, paid recruitment."),
                   makes_content=True),
    DepartmentTerm("communication", _l("Communication"), _l("Corporate and brand communication."),
                   makes_content=True),
    DepartmentTerm("customer_service", _l("Customer service"),
                   _l("Answers customers' questions and "
                   "complaints."), contributes="customer_service", answers=True),
    DepartmentTerm("crm", _l("CRM"), _l("Customer relationship management and loyalty offers."),
                   contributes="discounts"),
    DepartmentTerm("pr", _l("PR"), _l("Press and public relations, reputation, crises."),
                   contributes="reviews"),
    DepartmentTerm("hr", _l("HR"), _l("Human resources: employees' voice and recruitment."),
                   contributes="feel_connected"),
    DepartmentTerm("quality", _l("Quality"), _l("Product and service quality: acts on incidents."),
                   contributes="product_info"),
    DepartmentTerm("rnd", _l("R&D"), _l("Research and development: acts on customers' insights."),
                   contributes="exclusive"),
))
DEPARTMENTS: tuple[str, ...] = tuple(DEPARTMENT_TERMS)
CONTENT_DEPARTMENTS: tuple[str, ...] = tuple(d.id for d in DEPARTMENT_TERMS.values()
                                              if d.makes_content)
CONTRIBUTED_TYPE: Mapping[str, str] = {d.id: d.contributes for d in DEPARTMENT_TERMS.values()
                                       if d.contributes}
# Natural working affinities between departments: the extra links of the hub-and-spoke
# organisational models (simulation.agents.departments.internal_network).
DEPARTMENT_AFFINITIES: tuple[tuple[str, str], ...] = (
    ("marketing", "communication"),
    ("customer_service", "crm"),
    ("quality", "rnd"),
    ("pr", "communication"),
    ("hr", "communication"),
    ("crm", "marketing"),
    ("customer_service", "quality"),
    ("executive", "communication"),
)


# --------------------------------------------------------------------------------------------
# Named content mixes (the shares themselves are in simulation.config.NAMED_MIXES)


MIX_TERMS = _by_id((
    Term("beliefs", _l("What brands believe"),
         _l("In proportion to what businesses believe customers "
         "want (IBM 2011).")),
    Term("motivations", _l("What customers want"),
         _l("In proportion to what customers say they want "
         "(IBM 2011).")),
    Term("balanced", _l("Balanced"), _l("The same share of every content type.")),
    Term("campaign", _l("Campaign"), _l("Contests and viral campaigns: what push-oriented agencies "
         "sell.")),
))
MIX_NAMES: tuple[str, ...] = tuple(MIX_TERMS)


# --------------------------------------------------------------------------------------------
# Crisis causes

# Who posts a crisis first (the complaints' rules implement each one):
SEED_INFLUENCERS = "influencers"  # drawn among the best-connected customers
SEED_ACTIVISTS = "activists"  # activists_per_seed engaging people per seed
SEED_CUSTOMERS = "customers"  # the brand's own customers (and incidents rise for a while)
SEEDING_RULES = (SEED_INFLUENCERS, SEED_ACTIVISTS, SEED_CUSTOMERS)


@dataclass(frozen=True)
class CrisisCause(Term):
    """A cause of an exogenous crisis: ``sentence`` opens its event-log line; ``seeding`` is one
    of SEEDING_RULES; ``raises_incidents``: a product defect multiplies incidents for a while."""

    sentence: str = ""
    seeding: str = SEED_CUSTOMERS
    raises_incidents: bool = False


CRISIS_CAUSE_TERMS = _by_id((
    CrisisCause("product_defect", _l("Product defect"), _l("A defect goes public: the brand's "
                "customers post it, and incidents rise for a while."),
                sentence=_l("A product defect goes public"), seeding=SEED_CUSTOMERS,
                raises_incidents=True),
    CrisisCause("employee_video", _l("Employee video"), _l("An embarrassing video by an employee, "
                "posted by well-connected people."),
                sentence=_l("An employee video goes viral"), seeding=SEED_INFLUENCERS),
    CrisisCause("ngo_attack", _l("NGO attack"), _l("A campaign by an NGO, posted by activists."),
                sentence=_l("An NGO campaign targets the brand"), seeding=SEED_ACTIVISTS),
))
CRISIS_CAUSES: tuple[str, ...] = tuple(CRISIS_CAUSE_TERMS)
DEFAULT_CRISIS_CAUSE = "employee_video"  # what a crisis entry without a cause is

# Where a public complaint comes from: an ordinary customer, or one of the crisis causes.
COMPLAINT_ORIGINS: tuple[str, ...] = ("customer", *CRISIS_CAUSES)


# --------------------------------------------------------------------------------------------
# Intervention kinds (the data of each is in simulation.events, its handler in the model)


INTERVENTION_TERMS = _by_id((
    Term("training", _l("Training programme"),
         _l("Train the staff of some departments: raises their "
         "trained share and awareness; costs money from the training budget.")),
    Term("sponsorship", _l("Executive sponsorship"), _l("The executive commits: sponsorship moves "
         "toward the commitment over the following weeks.")),
    Term("hiring", _l("Hiring"), _l("Add daily social-media hours to a department.")),
    Term("content", _l("Content strategy change"),
         _l("Change posting frequency, content mix or push "
         "share.")),
    Term("listening", _l("Listening / social CRM"),
         _l("Deploy listening (share of mentions caught) "
         "and integrate it with CRM.")),
    Term("switch_agency", _l("Agency switch"), _l("End an agency's contract and/or sign with "
         "another.")),
    Term("crisis", _l("Crisis"), _l("An exogenous crisis: a complaint of high virality posted by "
         "several people at once.")),
    Term("reach", _l("Platform reach change"), _l("The platform shows more or fewer brand "
         "stories: every customer's attention to brand posts becomes factor times what it was "
         "at the start (a cut in organic reach, or a competitor's viral contest drawing "
         "attention).")),
))
INTERVENTION_KINDS: tuple[str, ...] = tuple(INTERVENTION_TERMS)


# --------------------------------------------------------------------------------------------
# Organisational models (Altimeter 2010), network shapes, maturity phases


ORGANISATIONAL_MODEL_TERMS = _by_id((
    Term("decentralised", _l("Decentralised"),
         _l("Each department on its own: a ring, no centre.")),
    Term("centralised", _l("Centralised"), _l("One team does it all: the hub department linked to "
         "each other department, and nothing else.")),
    Term("hub_and_spoke", _l("Hub and spoke"), _l("A central team supports the departments, which "
         "also talk to their natural partners.")),
    Term("multiple_hub_and_spoke", _l("Multiple hub and spoke"),
         _l("Three hubs (the hub department, "
         "communication, customer service) and the natural partnerships at full weight.")),
    Term("holistic", _l("Holistic"), _l("Everyone is linked to everyone.")),
))
ORGANISATIONAL_MODELS: tuple[str, ...] = tuple(ORGANISATIONAL_MODEL_TERMS)

NETWORK_TERMS = _by_id((
    Term("small_world", _l("Small world"), _l("A ring of friends with a few random shortcuts.")),
    Term("scale_free", _l("Scale free"), _l("A few customers have very many friends (with "
         "clustering).")),
    Term("fully_mixed", _l("Fully mixed"),
         _l("Everyone can meet everyone (no network structure).")),
))
NETWORK_KINDS: tuple[str, ...] = tuple(NETWORK_TERMS)

PHASE_TERMS = _by_id((
    Term("1", _l("Experimentation"), _l("Neither marketing nor communication has really adopted.")),
    Term("2", _l("Social marketing"), _l("Marketing or communication does social media.")),
    Term("3", _l("Social business"), _l("Most departments adopt, the executive sponsors, listening "
         "feeds CRM.")),
))
PHASES: Mapping[int, str] = {int(t.id): t.label for t in PHASE_TERMS.values()}


# Every table of terms, by what it names (for the registry walk and the glossary).
VOCABULARY: Mapping[str, Mapping[str, Term]] = {
    "department": DEPARTMENT_TERMS,
    "content_type": CONTENT_TYPE_TERMS,
    "mix": MIX_TERMS,
    "crisis_cause": CRISIS_CAUSE_TERMS,
    "intervention": INTERVENTION_TERMS,
    "organisational_model": ORGANISATIONAL_MODEL_TERMS,
    "network": NETWORK_TERMS,
    "phase": PHASE_TERMS,
}


def mix_problem(mix: Mapping[str, float] | str) -> tuple[str, object, str] | None:
    """What is wrong with a content mix, as (key, value, problem), or None if it is fine.

    A mix is a name of MIX_NAMES, or shares ≥ 0 per content type, not all zero. ``problem`` is
    one of "unknown_name", "unknown_type" (``key`` is not a content type), "negative",
    "all_zero"; the caller words it for users (simulation.events.check_mix).
    """
    if isinstance(mix, str):
        return None if mix in MIX_TERMS else ("", mix, "unknown_name")
    for key, value in mix.items():
        if key not in CONTENT_TYPE_TERMS:
            return key, value, "unknown_type"
        if value < 0:
            return key, value, "negative"
    if sum(mix.values()) <= 0:
        return "", mix, "all_zero"
    return None
