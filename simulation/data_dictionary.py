"""The data dictionary: what each column of a run's files means, in English and in French.

Rules:
- Column names are stable English identifiers (scripts depend on them) and are never
  translated; their descriptions are, through the catalogue (:mod:`simulation.i18n`).
- Every column a run writes is described here, once: ``COLUMNS`` maps a file to its columns.
  A column whose name depends on the scenario (``adoption_marketing``, ``follows_acme``) is
  described by a pattern with a ``{department}`` or ``{brand}`` field.
  ``tests/test_i18n_outputs.py`` runs a small scenario and fails on any column left undescribed.
- ``write_data_dictionary`` writes ``data_dictionary.csv`` next to the data: one row per file
  and column, with the description in every language (``description_en``,
  ``description_fr``), whatever language the run speaks.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .i18n import LANGUAGES, LazyString, _l, language

FILE_NAME = "data_dictionary.csv"

COLUMNS: dict[str, dict[str, LazyString]] = {
    "timeseries": {
        "day": _l("Day of the simulation (0 is the starting state)."),
        "brand": _l("Brand name (as in the scenario file)."),
        "phase": _l("Recorded maturity phase: 1 experimentation, 2 social marketing, "
                    "3 social business."),
        "maturity": _l("Maturity index: mean adoption of the nine departments (0-1)."),
        "adoption_{department}": _l("Social-media adoption of the {department} department "
                                    "(0-1)."),
        "sponsorship": _l("Executive sponsorship (0-1)."),
        "visible_results": _l("Results of social media as the departments see them (0-1)."),
        "help_desk": _l("True while customer service is stuck as a help desk."),
        "proactive_share": _l("Share of customer-service social time left for proactive work."),
        "capacity_use": _l("Share of customer-service social capacity spent answering."),
        "posts": _l("Posts published today (own departments and agencies)."),
        "push_share": _l("Share of today's posts that are push (interruptive, promotional)."),
        "listening_coverage": _l("Share of public mentions the brand's listening catches."),
        "crm_integration": _l("Integration of listening with CRM (social CRM, 0-1)."),
        "incident_cut": _l("Share of incidents prevented by quality and R&D acting on "
                           "insights from listening."),
        "followers": _l("Followers of the brand's pages."),
        "new_follows": _l("Customers who started following today."),
        "unfollows": _l("Followers who stopped following today."),
        "organic_reach": _l("Share of followers who see a given post."),
        "impressions": _l("Expected views of the brand's posts by followers today."),
        "engagements": _l("Engagements (likes, comments, shares) today."),
        "engagement_per_post": _l("Engagements per post today."),
        "weekly_engaged_share": _l("Share of followers who engaged in the last 7 days."),
        "viral_views": _l("Views of shared posts by non-followers today."),
        "mean_fatigue": _l("Mean fatigue (over-solicitation) among followers (0-1)."),
        "net_sentiment": _l("Share positive minus share negative, among people who know the "
                            "brand (-1 to 1)."),
        "customers": _l("Customers of the brand."),
        "sales": _l("Sales today."),
        "social_sales": _l("Sales today from social CRM conversions."),
        "incidents": _l("Customers who met a problem with the product or service today."),
        "complaints_new": _l("Public complaints posted today."),
        "complaints_open": _l("Complaints posted and not answered, still spreading or waiting."),
        "complaints_answered": _l("Complaints answered today."),
        "median_response_days": _l("Median days to answer, over the complaints answered today "
                                   "(empty if none)."),
        "questions_new": _l("Customer questions asked today."),
        "backlog": _l("Complaints and questions waiting for customer service."),
        "negative_exposures": _l("People who saw a complaint about the brand today."),
        "crisis_level": _l("Current crisis level: 0 none, 1 to 3 (Altimeter levels)."),
        "share_of_voice": _l("The brand's share of all impressions of the scenario's brands "
                             "today."),
        "cost": _l("Social-media spending today (€): staff, agencies, tools, ads."),
        "cumulative_cost": _l("Social-media spending since day 0 (€)."),
        "roi": _l("(Social revenue - cost) / cost, cumulated since day 0."),
        "ever_engaged_share": _l("Share of all customers who have engaged with any brand at "
                                 "least once so far (market-wide)."),
        "mean_fatigue_engaging": _l("Mean fatigue of the customers who engage with brands "
                                    "(market-wide, 0-1)."),
        "complaints_total": _l("Public complaints since day 0, all brands (market-wide)."),
    },
    "events": {
        "day": _l("Day the event happened."),
        "brand": _l("Brand concerned (empty for the whole market)."),
        "kind": _l("What happened, as a stable identifier (phase_change, crisis_start, "
                   "help_desk, training ...)."),
        "cause": _l("Detail of the kind, as a stable identifier (a crisis level, a phase "
                    "change such as 1->2, an intervention kind ...)."),
        "text": _l("The sentence for the trainer, in the language of the run."),
    },
    "complaints": {
        "brand": _l("Brand the complaint is about (index in the scenario's brand order)."),
        "complainant": _l("Customer who posted it (index)."),
        "opened": _l("Day it was posted."),
        "virality": _l("How shareable it is, relative to a median complaint."),
        "detected": _l("Day the brand's listening caught it (empty: never)."),
        "answered": _l("Day it was answered (empty: not answered)."),
        "size": _l("People it reached."),
        "origin": _l("Where it came from: customer, product_defect, employee_video or "
                     "ngo_attack."),
        "status": _l("Where it stands at the end of the run: answered, lapsed (the author gave "
                     "up waiting) or open."),
    },
    "customers_sample": {
        "day": _l("Day of the simulation."),
        "customer": _l("Customer (index) of the recorded sample."),
        "engaging": _l("True if the customer engages with brands on social media at all."),
        "active": _l("True if the customer regularly posts or responds."),
        "fatigue": _l("Fatigue (over-solicitation) of the customer (0-1)."),
        "follows_{brand}": _l("True if the customer follows {brand}."),
        "sentiment_{brand}": _l("Sentiment of the customer toward {brand} (-1 to 1)."),
        "customer_{brand}": _l("True if the customer buys from {brand}."),
    },
}


def _pattern(key: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+)", re.escape(key)) + "$")


def describe(file: str, column: str, lang: str | None = None) -> str | None:
    """The description of ``column`` of ``file`` (``"timeseries"`` ...), or None if unknown."""
    entries = COLUMNS.get(file, {})
    with language(lang):
        if column in entries:
            return str(entries[column])
        for key, text in entries.items():
            match = _pattern(key).match(column) if "{" in key else None
            if match:
                return str(text).format(**match.groupdict())
    return None


def undescribed(files: Mapping[str, Iterable[str]]) -> list[tuple[str, str]]:
    """The (file, column) pairs that have no description (a test keeps this empty)."""
    return [(f, c) for f, columns in files.items() for c in columns if describe(f, c) is None]


def write_data_dictionary(out: str | Path, files: Mapping[str, Iterable[str]]) -> Path:
    """Write ``data_dictionary.csv`` in ``out`` for the given files' columns."""
    path = Path(out) / FILE_NAME
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "column", *(f"description_{lang}" for lang in LANGUAGES)])
        for file, columns in files.items():
            for column in columns:
                writer.writerow([file, column,
                                 *((describe(file, column, lang) or "") for lang in LANGUAGES)])
    return path
