"""The dashboard's language: browser default, the FR/EN switch, one language per tab.

In-process (solara.render, no browser): the browser's language arrives as the websocket's
Accept-Language header, which Solara stores in ``solara.lab.headers`` for the tab.
"""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara")
import ipyvuetify as v  # noqa: E402

from dashboards.components import language  # noqa: E402
from simulation.i18n import _, current_language  # noqa: E402

# A sentence the catalogue translates (argparse's own, always there).
SENTENCE = "show this help message and exit"
FRENCH = "affiche ce message d'aide et quitte"


@solara.component
def Sample():
    language.LanguageSwitch()
    solara.Text(_(SENTENCE))


def _header(lang_header: str | None):
    solara.lab.headers.value = {"accept-language": [lang_header]} if lang_header else {}


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(language.DASHBOARD_LANGUAGE_ENV, raising=False)
    monkeypatch.delenv("SOCBIZ_LANG", raising=False)
    language.chosen_language.value = None
    yield
    language.chosen_language.value = None
    solara.lab.headers.value = None


def test_the_translation_of_the_sample_is_french():
    from simulation.i18n import gettext
    from simulation.i18n import language as block
    with block("fr"):
        assert gettext(SENTENCE) == FRENCH


def test_a_french_browser_gets_french_and_the_switch_gives_english_back():
    _header("fr-FR,fr;q=0.9,en;q=0.8")
    box, rc = solara.render(Sample(), handle_error=False)
    assert FRENCH in _page_text(rc)
    toggle = rc.find(v.BtnToggle).widget
    toggle.v_model = 0  # the person presses EN (the first button)
    assert SENTENCE in _page_text(rc)
    assert FRENCH not in _page_text(rc)


def test_an_english_or_unknown_browser_gets_english_and_the_switch_gives_french():
    _header("de-DE,de;q=0.9")
    box, rc = solara.render(Sample(), handle_error=False)
    assert SENTENCE in _page_text(rc)
    rc.find(v.BtnToggle).widget.v_model = 1  # FR
    assert FRENCH in _page_text(rc)
    assert language.chosen_language.value == "fr"


def test_socbiz_dashboard_lang_beats_the_browser(monkeypatch):
    monkeypatch.setenv(language.DASHBOARD_LANGUAGE_ENV, "fr")
    _header("en-GB,en;q=0.9")
    _box, rc = solara.render(Sample(), handle_error=False)
    assert FRENCH in _page_text(rc)


def test_with_nothing_chosen_and_no_header_the_process_language_applies():
    assert language.session_language() is None
    assert current_language() == "en"
    from simulation.i18n import process_language
    with process_language("fr"):
        assert current_language() == "fr"


def _page_text(rc) -> str:
    """Every text the rendered widgets hold (Html children, Text values, button labels)."""
    return " ".join(_walk(rc.find().widget))


def _walk(widget) -> list[str]:
    out = []
    for name in ("value", "v_model"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            out.append(value)
    for child in getattr(widget, "children", []) or []:
        out.extend([child] if isinstance(child, str) else _walk(child))
    return out


# ----------------------------------------------------------------------------------------------
# The whole dashboard page in French, then back in English (one render, no browser)

# Words of the page's own controls in English: none may be left once the tab speaks French.
ENGLISH_CONTROLS = ("Play", "Step", "+7 days", "Reset", "Apply now", "Go", "Intervene",
                    "Event log", "Levers", "Speed", "Seed", "Everything", "All brands")


def _dashboard_words(rc) -> dict[str, list[str]]:
    """What a person reads: texts and HTML, button labels, field labels, select items."""
    import html

    import ipywidgets
    from widget_support import walk

    words = {"text": [], "buttons": [], "labels": [], "items": []}
    for w in walk(rc):
        if isinstance(w, v.Html):
            words["text"] += [c for c in w.children if isinstance(c, str)]
        if isinstance(getattr(w, "unsafe_innerHTML", None), str):
            words["text"].append(html.unescape(w.unsafe_innerHTML))
        if isinstance(w, ipywidgets.HTML):
            words["text"].append(html.unescape(w.value))
        if isinstance(w, v.Btn):
            words["buttons"] += [c for c in w.children if isinstance(c, str)]
        if isinstance(getattr(w, "label", None), str):
            words["labels"].append(w.label)
        if isinstance(w, v.Select):
            words["items"] += [i["text"] if isinstance(i, dict) else str(i)
                               for i in (w.items or [])]
    return words


def test_the_dashboard_speaks_french_then_english_again():
    """A French browser: the day counter, buttons, fields, selects (labels, not ids), cards,
    browser charts' words and numbers are French; pressing EN gives the English back."""
    from widget_support import live_charts

    from dashboards.components.page import Dashboard
    from dashboards.state import Session
    from simulation.scenario import DEFAULT_SCENARIO

    _header("fr-FR,fr;q=0.9")
    session = Session(DEFAULT_SCENARIO, overrides={"market.n_customers": 1500})
    _box, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]),
                             handle_error=False)
    words = _dashboard_words(rc)
    text = "\n".join(words["text"])
    assert "Jour 0 sur" in text and "Day 0 of" not in text
    assert {"Lecture", "Pas à pas", "Réinitialiser", "Appliquer maintenant"} <= set(
        words["buttons"])
    shown = set(words["buttons"]) | set(words["labels"]) | set(words["items"])
    assert not shown & set(ENGLISH_CONTROLS), shown & set(ENGLISH_CONTROLS)
    # Selects show labels, never ids (the department select of the levers panel).
    assert "Service client" in words["items"] and "customer_service" not in words["items"]
    assert "20 jours/s" in words["items"]
    charts = live_charts(rc)
    assert charts and all(c.spec["locale"] == "fr-FR" and c.spec["words"]["day"] == "jour"
                          for c in charts)
    assert any(p["title"] == "Abonnés" for c in charts for p in c.spec["panels"])
    # What the FR/EN switch does (the switch itself sits in the app bar, which AppLayout
    # renders outside this tree; the tests above press it).
    language.set_session_language("en")
    words = _dashboard_words(rc)
    assert "Day 0 of" in "\n".join(words["text"])
    assert {"Play", "Step", "Reset"} <= set(words["buttons"])
    assert all(c.spec["words"]["day"] == "day" for c in live_charts(rc))
