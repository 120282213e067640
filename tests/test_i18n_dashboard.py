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
