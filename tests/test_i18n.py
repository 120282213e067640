"""The message catalogue: complete, up to date with the code, compiled; language choice; formats.

The completeness tests read the real catalogue and a fresh extraction of the code (the same
babel.cfg and keywords as ``make translations``), so a string wrapped in ``_()`` but missing
from ``socbiz.po``, an entry without French, a fuzzy entry or a stale ``.mo`` each fail here.
"""

from __future__ import annotations

import datetime
import gettext
import io
import re
import threading
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from simulation import i18n
from simulation.i18n import (
    LazyString,
    _,
    _l,
    format_currency,
    format_date,
    format_number,
    format_percent,
    language,
    ngettext,
    parse_number,
)

ROOT = Path(__file__).resolve().parent.parent
NNBSP, NBSP = "\u202f", "\u00a0"


def read_catalogue(lang: str = "fr"):
    with i18n.catalogue_path(lang).open("rb") as handle:
        return read_po(handle)


def extracted_ids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every translatable string in the code, as pybabel extract sees it."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(list(i18n.EXTRA_KEYWORDS)))
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        found.add((context, msgid))
    return found


def catalogue_ids(catalog) -> set[tuple[str | None, str]]:
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        ids.add((message.context, msgid))
    return ids


# ----------------------------------------------------------------------------------------------
# The catalogue


def test_every_entry_has_its_french_translation_and_none_is_fuzzy():
    catalog = read_catalogue()
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        plural = isinstance(message.id, tuple)
        if not all(s.strip() for s in strings) or (plural and len(strings) != catalog.num_plurals):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"{len(missing)} entries without French, e.g. {missing[:5]}"
    assert not fuzzy, f"fuzzy entries (check and remove the flag): {fuzzy[:5]}"


def test_french_plural_rule_is_n_greater_than_one():
    catalog = read_catalogue()
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") == "(n>1)"


def test_catalogue_is_up_to_date_with_the_code():
    in_code, in_catalogue = extracted_ids(), catalogue_ids(read_catalogue())
    not_in_catalogue = sorted(in_code - in_catalogue, key=str)
    obsolete = sorted(in_catalogue - in_code, key=str)
    assert not not_in_catalogue, (
        f"wrapped in _() but missing from socbiz.po (run `make translations`, then translate): "
        f"{not_in_catalogue[:8]}")
    assert not obsolete, f"in socbiz.po but no longer in the code (run `make translations`): " \
                         f"{obsolete[:8]}"


def test_placeholders_are_the_same_in_english_and_french():
    import string

    def fields(text: str) -> set[str]:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}

    bad = []
    for message in read_catalogue():
        if not message.id or "python-brace-format" not in message.flags:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(fields(i) for i in ids))
        for s in strings:
            if fields(s) - wanted:
                bad.append((message.id, s))
    assert not bad, f"French uses placeholders the English does not: {bad[:5]}"


def test_committed_mo_says_what_the_po_says():
    mo_path = i18n.catalogue_path("fr", ".mo")
    assert mo_path.is_file(), "socbiz.mo missing: run `make translations`"
    with mo_path.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)
    fresh = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(i18n.catalogue_path("fr"))))
    assert committed._catalog == fresh._catalog, "socbiz.mo is stale: run `make translations`"


def test_the_catalogue_compiles_without_errors():
    """What `pybabel compile` checks (and makes `make translations` fail on): a msgid Babel
    takes for a %-format ("% of seeds" reads as "% o") must keep compatible placeholders."""
    problems = [(message.id, [str(e) for e in errors])
                for message, errors in read_catalogue().check()]
    assert not problems, problems


def test_make_translations_uses_the_declared_keywords():
    recipe = (ROOT / "Makefile").read_text().split("translations: setup", 1)[1].split("\n\n")[0]
    assert set(re.findall(r"-k (\S+)", recipe)) == set(i18n.EXTRA_KEYWORDS)
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Translating", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"-k (\S+)", section)) == set(i18n.EXTRA_KEYWORDS)


def test_catalogues_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["simulation"]
    shipped = {p for pattern in patterns for p in (ROOT / "simulation").glob(pattern)}
    assert i18n.catalogue_path("fr", ".po") in shipped
    assert i18n.catalogue_path("fr", ".mo") in shipped
    assert "Babel" in " ".join(config["project"]["dependencies"])


# ----------------------------------------------------------------------------------------------
# Choosing the language


def test_explicit_choice_beats_the_environment_which_beats_english(monkeypatch):
    monkeypatch.delenv("SOCBIZ_LANG", raising=False)
    assert i18n.resolve_language(None) == "en"
    monkeypatch.setenv("SOCBIZ_LANG", "fr_FR.UTF-8")
    assert i18n.resolve_language(None) == "fr"
    assert i18n.resolve_language("en") == "en"
    monkeypatch.setenv("SOCBIZ_LANG", "klingon")
    with pytest.raises(i18n.LanguageError, match="SOCBIZ_LANG"):
        i18n.resolve_language(None)
    assert i18n.current_language() == "en"  # outside the CLI a bad variable is not fatal


def test_unknown_language_is_refused_in_one_line():
    with pytest.raises(i18n.LanguageError, match="unknown language 'de'"):
        i18n.normalise_language("de")


def test_language_block_is_local_to_its_thread(monkeypatch):
    monkeypatch.delenv("SOCBIZ_LANG", raising=False)
    seen = {}

    def other_thread():
        seen["other"] = i18n.current_language()

    with language("fr"):
        assert _("{text} is not a number") == "{text} n'est pas un nombre"
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert seen["other"] == "en"
    assert _("{text} is not a number") == "{text} is not a number"


def test_set_language_sets_the_process_default(monkeypatch):
    monkeypatch.delenv("SOCBIZ_LANG", raising=False)
    try:
        assert i18n.set_language("fr") == "fr"
        assert i18n.current_language() == "fr"
        with language("en"):
            assert i18n.current_language() == "en"
    finally:
        i18n.set_language(None)
    assert i18n.current_language() == "en"


def test_browser_accept_language_header_picks_the_best_spoken_language():
    assert i18n.language_from_accept("de-DE,fr;q=0.9,en;q=0.8") == "fr"
    assert i18n.language_from_accept("en-US,en;q=0.9,fr;q=0.8") == "en"
    assert i18n.language_from_accept("fr-CA") == "fr"
    assert i18n.language_from_accept("") == "en"


def test_lazy_string_speaks_the_language_of_the_moment():
    message = _l("{text} is not a number")
    assert isinstance(message, LazyString)
    with language("en"):
        assert message == "{text} is not a number"
        assert f"{message}".startswith("{text} is")
    with language("fr"):
        assert str(message) == "{text} n'est pas un nombre"
        assert message.format(text="x") == "x n'est pas un nombre"
        assert "nombre" in message


def test_plural_templates_follow_each_language_rule():
    catalog = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(i18n.catalogue_path("fr"))))
    french_plural = catalog.plural
    assert [french_plural(n) for n in (0, 1, 2, 1000)] == [0, 0, 1, 1]
    with language("en"):
        assert ngettext("{n} day", "{n} days", 0) == "{n} days"
        assert ngettext("{n} day", "{n} days", 1) == "{n} day"


# ----------------------------------------------------------------------------------------------
# Formatting and reading numbers


def test_numbers_percentages_euros_and_dates_in_french():
    assert format_number(20000, lang="fr") == f"20{NNBSP}000"
    assert format_number(1.5, lang="fr") == "1,5"
    assert format_number(0.25, 2, signed=True, lang="fr") == "+0,25"
    assert format_percent(0.125, lang="fr") == f"12,5{NBSP}%"
    assert format_currency(200000, digits=0, lang="fr") == f"200{NNBSP}000{NBSP}€"
    assert format_date(datetime.date(2026, 12, 1), "long", lang="fr") == "1 décembre 2026"


def test_numbers_percentages_euros_and_dates_in_english():
    assert format_number(20000, lang="en") == "20,000"
    assert format_number(-3.25, 1, lang="en") == "-3.2"  # half-even, as Babel rounds
    assert format_percent(0.125, lang="en") == "12.5%"
    assert format_percent(0.3, 0, lang="en") == "30%"
    assert format_currency(1234.5, lang="en") == "€1,234.50"
    assert format_date(datetime.date(2026, 12, 1), "long", lang="en") == "1 December 2026"


def test_formatting_follows_the_current_language():
    with language("fr"):
        assert format_number(1234.5) == f"1{NNBSP}234,5"
    with language("en"):
        assert format_number(1234.5) == "1,234.5"


@pytest.mark.parametrize("typed, expected", [
    ("20 000", 20000), (f"20{NBSP}000", 20000), (f"20{NNBSP}000", 20000), ("1,5", 1.5),
    ("1.5", 1.5), ("1 234,5", 1234.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5),
    ("5e3", 5000), ("−2,5", -2.5), ("+3", 3), ("20 %", 20), (f"200{NNBSP}000{NBSP}€", 200000),
    ("1.234.567", 1234567), ("1,234,567", 1234567), (7, 7), (2.5, 2.5),
])
def test_numbers_typed_in_either_language_are_read(typed, expected):
    for lang in ("fr", "en"):
        assert parse_number(typed, lang=lang) == expected


def test_a_lone_comma_before_three_digits_is_read_by_the_language():
    assert parse_number("1,500", lang="fr") == 1.5
    assert parse_number("1,500", lang="en") == 1500


def test_what_babel_writes_in_french_reads_back():
    for value in (0.5, 12.75, 20000, 1234567.125):
        assert parse_number(format_number(value, lang="fr"), lang="fr") == value


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "1..5", "1,5,", True, "1,5.2,3"])
def test_what_is_not_a_number_is_refused_with_a_message(typed):
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(typed, lang="en")
    with language("fr"), pytest.raises(ValueError, match="n'est pas un nombre"):
        parse_number(typed)


# ----------------------------------------------------------------------------------------------
# Sentences kept as data (the event log)


def test_a_message_renders_in_the_language_of_whoever_reads_it():
    from simulation.i18n import Money, Number, Percent, msg

    sentence = msg("{text} is not a number", text=Number(20000))
    assert sentence.render("en") == "20,000 is not a number"
    assert sentence.render("fr") == f"20{NNBSP}000 n'est pas un nombre"
    with language("fr"):
        assert str(sentence) == f"20{NNBSP}000 n'est pas un nombre"
        assert f"[{sentence}]" == f"[20{NNBSP}000 n'est pas un nombre]"
    assert sentence == msg("{text} is not a number", text=Number(20000))  # data equality
    assert sentence.render("en") == "20,000 is not a number"
    assert format(Percent(0.3), "") == "30%" and format(Money(200000), "") == "€200,000"
    with language("fr"):
        assert format(Percent(0.3), "") == f"30{NBSP}%"
        assert format(Money(200000), "") == f"200{NNBSP}000{NBSP}€"


def test_message_values_that_are_messages_are_translated_too():
    from simulation.i18n import Join, msg

    outer = msg("{text} is not a number", text=Join([msg("usage: "), "acme"], " / "))
    assert outer.render("en") == "usage:  / acme is not a number"
    assert outer.render("fr") == "usage :  / acme n'est pas un nombre"


def test_plural_messages_choose_by_n_in_each_language():
    from simulation.i18n import nmsg

    few = nmsg("expected %s argument", "expected %s arguments", 1)
    many = nmsg("expected %s argument", "expected %s arguments", 2)
    assert few.render("en") == "expected %s argument"
    assert many.render("en") == "expected %s arguments"
    assert nmsg("expected %s argument", "expected %s arguments", 0).render("fr") == (
        "%s argument attendu")  # French: 0 takes the singular
    assert many.render("fr") == "%s arguments attendus"


# ----------------------------------------------------------------------------------------------
# Registries of words: every id the model uses has its words


def test_every_department_crisis_cause_and_phase_has_its_words():
    from simulation.complaints import ORIGINS
    from simulation.config import DEPARTMENTS
    from simulation.metrics import PHASE_NAMES

    ids = ([("department", d) for d in DEPARTMENTS]
           + [("crisis_cause", c) for c in ORIGINS if c != "customer"]
           + [("phase", str(p)) for p in PHASE_NAMES])
    missing = [key for key in ids if key not in i18n.TERMS]
    assert not missing, f"add these to simulation.i18n.TERMS: {missing}"
    with language("en"):  # English is the id made readable: existing sentences do not change
        for kind, term_id in ids:
            expected = PHASE_NAMES[int(term_id)] if kind == "phase" else term_id.replace("_", " ")
            assert str(i18n.term(kind, term_id)) == expected
    with language("fr"):
        assert str(i18n.term("department", "customer_service")) == "le service client"


def test_every_unit_of_a_parameter_is_translated():
    from simulation.config import ScenarioConfig
    from simulation.docs import intervention_parameters
    from simulation.schema import parameter_docs

    units = {p.unit for p in [*parameter_docs(ScenarioConfig), *intervention_parameters()]}
    unknown = sorted(u for u in units if u and u not in i18n.UNITS)
    assert not unknown, f"add these units to simulation.i18n.UNITS: {unknown}"


@pytest.mark.parametrize(("typed", "lang", "expected"), [
    ("20 000", "fr", 20000), ("20\u202f000", "fr", 20000), ("1,000", "en", 1000),
    ("365", "fr", 365), ("1.000.000", "fr", 1000000), ("+7", "en", 7)])
def test_whole_numbers_typed_in_either_language_are_read(typed, lang, expected):
    assert i18n.parse_integer(typed, lang=lang) == expected


def test_a_fraction_is_not_a_whole_number():
    with language("fr"), pytest.raises(ValueError, match="n'est pas un nombre entier"):
        i18n.parse_integer("1,5")


@pytest.mark.parametrize(("typed", "lang", "expected"), [
    ("market.n_customers=20 000", "fr", 20000), ("market.n_customers=20 000", "en", 20000),
    ("market.n_customers=20\u202f000", "fr", 20000), ("x=1,5", "fr", 1.5),
    ("x=1 234,5", "fr", 1234.5), ("x=1,500", "en", 1500), ("x=1,500", "fr", 1.5),
    ("x=0.5", "fr", 0.5), ("x=word", "fr", "word"), ("x=1,2,3", "fr", "1,2,3"),
])
def test_numbers_typed_the_french_way_after_set_are_numbers(typed, lang, expected):
    """``--set market.n_customers=20 000`` and ``--set ...push_share=0,5`` are numbers (TOML
    would read them as text and the scenario would refuse them); other text stays text."""
    from simulation.scenario import parse_override

    with language(lang):
        key, value = parse_override(typed)
    assert value == expected and type(value) is type(expected)


def test_texts_written_the_french_way_are_accepted(tmp_path):
    """A no-break space before ':' and a narrow one between thousands (what Babel writes in
    French) are text, not control characters: a French title or a what-if description with
    them loads, on one line too; an escape character is still refused."""
    from simulation.scenario import ScenarioError, load_scenario

    path = tmp_path / "fr.toml"
    path.write_text('title = { en = "Demo", fr = "Démo\u00a0: 20\u202f000 clients" }\n',
                    encoding="utf-8")
    assert load_scenario(path).title.texts["fr"] == "Démo\u00a0: 20\u202f000 clients"
    path.write_text('title = "Demo \\u001b[2J"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="printable"):
        load_scenario(path)
