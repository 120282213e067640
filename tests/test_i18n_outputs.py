"""A run in French: French event sentences, English column names, a bilingual data dictionary;
bilingual presets; French help and errors on the command line."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from simulation import data_dictionary
from simulation.cli import main
from simulation.i18n import LANGUAGES, Localized, language
from simulation.scenario import list_scenarios, load_scenario

# Every intervention kind early, plus a crisis, so a short run logs every kind of sentence the
# timeline can produce (and what the model notices: crisis levels, responses ...).
LAB_TOML = """
horizon_days = 12
seed = 11
[market]
n_customers = 400
sample_size = 20
[brands.acme]
agencies = ["old"]
[brands.brio]
market_share = 0.1
[agencies.old]
[agencies.new]
push_orientation = 0.2
[[timeline]]
kind = "training"
day = 1
brand = "acme"
departments = ["hr", "pr"]
[[timeline]]
kind = "sponsorship"
day = 1
brand = "acme"
level = 0.8
[[timeline]]
kind = "hiring"
day = 2
brand = "acme"
hours = 6
[[timeline]]
kind = "content"
day = 2
brand = "acme"
posts_per_day = 3
push_share = 0.4
[[timeline]]
kind = "listening"
day = 3
brand = "acme"
[[timeline]]
kind = "switch_agency"
day = 3
brand = "acme"
agency = "new"
[[timeline]]
kind = "crisis"
day = 4
brand = "brio"
cause = "product_defect"
virality = 40
n_seeds = 20
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The lab scenario run twice, in English and in French, same seed."""
    work = tmp_path_factory.mktemp("i18n-runs")
    scenario = work / "lab.toml"
    scenario.write_text(LAB_TOML)
    out = {}
    for lang in LANGUAGES:
        out[lang] = work / lang
        code = main(["run", str(scenario), "--days", "12", "--out", str(out[lang]), "--quiet",
                     "--no-plots", "--lang", lang])
        assert code == 0
    return out


def test_french_run_keeps_the_stable_columns_and_translates_every_sentence(runs):
    english = pd.read_csv(runs["en"] / "events.csv", keep_default_na=False)
    french = pd.read_csv(runs["fr"] / "events.csv", keep_default_na=False)
    assert list(french.columns) == ["day", "brand", "kind", "cause", "text"]
    assert len(english) >= 7, english  # the seven timeline entries at least
    stable = ["day", "brand", "kind", "cause"]
    pd.testing.assert_frame_equal(english[stable], french[stable])
    same = english.loc[english["text"] == french["text"], ["kind", "text"]]
    assert same.empty, f"sentences left in English in a French run:\n{same}"


def test_french_run_writes_a_data_dictionary_for_every_column_in_both_languages(runs):
    with (runs["fr"] / data_dictionary.FILE_NAME).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    described = {(r["file"], r["column"]) for r in rows}
    files = {"timeseries": pd.read_csv(runs["fr"] / "timeseries.csv", nrows=1).columns,
             "events": pd.read_csv(runs["fr"] / "events.csv", nrows=1).columns,
             "complaints": pd.read_csv(runs["fr"] / "complaints.csv", nrows=1).columns,
             "customers_sample": pd.read_parquet(runs["fr"] / "customers_sample.parquet").columns}
    wanted = {(f, c) for f, columns in files.items() for c in columns}
    assert wanted <= described, f"columns missing from the dictionary: {wanted - described}"
    assert not data_dictionary.undescribed(files)
    for row in rows:
        assert row["description_en"] and row["description_fr"], row
        assert row["description_en"] != row["description_fr"], row
    by_key = {(r["file"], r["column"]): r for r in rows}
    assert by_key[("timeseries", "adoption_marketing")]["description_fr"] == (
        "Adoption des médias sociaux par le service marketing (0-1).")


def test_french_run_keeps_english_identifiers_in_the_data(runs):
    english = pd.read_csv(runs["en"] / "timeseries.csv")
    french = pd.read_csv(runs["fr"] / "timeseries.csv")
    pd.testing.assert_frame_equal(english, french)  # numbers and names are data, not text


# ----------------------------------------------------------------------------------------------
# Presets


def localized_texts(config) -> list[tuple[str, Localized]]:
    texts = [("title", config.title), ("description", config.description)]
    for i, cue in enumerate(config.narrative):
        texts.append((f"narrative[{i}].watch", cue.watch))
        if cue.ask:
            texts.append((f"narrative[{i}].ask", cue.ask))
    return texts


@pytest.mark.parametrize("preset", sorted(list_scenarios()))
def test_every_preset_text_is_written_in_every_language(preset):
    config = load_scenario(preset)
    missing = [(key, lang) for key, text in localized_texts(config) for lang in LANGUAGES
               if not isinstance(text, Localized) or not text.texts.get(lang, "").strip()]
    assert not missing, f"scenarios/{preset}.toml lacks: {missing}"


def test_scenarios_show_prints_the_french_narrative(capsys):
    config = load_scenario("crisis-wakeup")
    assert main(["scenarios", "show", "crisis-wakeup", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Fil conducteur pour le formateur" in out
    for cue in config.narrative:
        assert cue.watch.texts["fr"] in out
        assert cue.watch.texts["en"] not in out
    assert config.title.texts["fr"] in out


def test_single_string_texts_are_still_accepted(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('title = "My own"\n[[narrative]]\nday = 3\nwatch = "Look here"\n')
    config = load_scenario(path)
    with language("fr"):
        assert str(config.title) == "My own" and str(config.narrative[0].watch) == "Look here"


def test_a_text_table_names_known_languages_and_english(tmp_path):
    from simulation.scenario import ScenarioError

    path = tmp_path / "bad.toml"
    path.write_text('title = { en = "Hi", de = "Hallo" }\n')
    with pytest.raises(ScenarioError, match=r"title\.de.*unknown language; allowed: en, fr"):
        load_scenario(path)
    path.write_text('title = { fr = "Salut" }\n')
    with pytest.raises(ScenarioError, match=r"title\.en.*English text"):
        load_scenario(path)


def test_bilingual_text_round_trips_through_toml(tmp_path):
    from simulation.scenario import scenario_to_toml

    path = tmp_path / "two.toml"
    path.write_text('title = { en = "Two", fr = "Deux" }\n')
    config = load_scenario(path)
    again = tmp_path / "again.toml"
    again.write_text(scenario_to_toml(config).replace('name = "two"\n', ""))
    assert load_scenario(again).title.texts == {"en": "Two", "fr": "Deux"}


# ----------------------------------------------------------------------------------------------
# The command line


def test_help_is_french_with_lang_fr_or_socbiz_lang(capsys, monkeypatch):
    with pytest.raises(SystemExit):
        main(["run", "--help", "--lang", "fr"])
    out = capsys.readouterr().out
    assert out.startswith("usage : socbiz run") and "affiche ce message d'aide" in out
    monkeypatch.setenv("SOCBIZ_LANG", "fr")
    with pytest.raises(SystemExit):
        main(["scenarios", "--help"])
    assert "liste les scénarios prédéfinis" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["scenarios", "--help", "--lang", "en"])  # the option beats the variable
    assert "list the presets" in capsys.readouterr().out


def test_errors_are_one_french_line(capsys):
    assert main(["run", "no-such-scenario", "--lang", "fr"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.match(r"socbiz : erreur : scénario 'no-such-scenario' introuvable", err), err
    with pytest.raises(SystemExit) as stop:
        main(["run", "--days", "-3", "--lang", "fr"])
    assert stop.value.code == 2
    assert "doit être un entier ≥ 1" in capsys.readouterr().err


def test_an_unknown_language_is_a_one_line_error(capsys):
    assert main(["run", "--lang", "de"]) == 2
    assert capsys.readouterr().err == (
        "socbiz: error: --lang: unknown language 'de' (choose one of: en, fr)\n")


def test_every_subcommand_takes_lang(capsys):
    from simulation.cli import build_parser

    parser = build_parser()
    checked = []

    def walk(p, name):
        import argparse

        assert any("--lang" in a.option_strings for a in p._actions), name
        checked.append(name)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(child, f"{name} {sub}")

    walk(parser, "socbiz")
    assert {"socbiz run", "socbiz scenarios show"} <= set(checked) and len(checked) > 5


def test_chart_titles_axis_labels_and_legends_follow_the_language():
    import pandas as pd
    from matplotlib.figure import Figure

    from simulation import plots
    from simulation.i18n import language

    frame = pd.DataFrame({"day": [0, 1, 0, 1], "brand": ["acme", "acme", "brio", "brio"],
                          "backlog": [0, 3, 1, 2], "crisis_level": [0, 1, 0, 0]})
    column, title, ylabel, smooth = plots.SERVICE_PANELS[1]
    for lang, words in (("en", ("Customer-service backlog", "people waiting", "day")),
                        ("fr", ("File d'attente du service client", "personnes en attente",
                                "jour"))):
        with language(lang):
            ax = Figure().subplots()
            plots.draw_metric(ax, frame, column, title, ylabel, smooth)
            assert (ax.get_title(), ax.get_ylabel(), ax.get_xlabel()) == words
            assert [t.get_text() for t in ax.get_legend().get_texts()] == ["acme", "brio"]
    with language("fr"):
        assert str(plots.PHASE_LABELS[1]) == "1 expérimentations"
        assert str(plots.EVENT_LABELS["help_desk"]) == "help desk"
