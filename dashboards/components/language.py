"""The dashboard's language: the browser's by default, a FR/EN switch in the page header.

Rules:
- Each browser tab speaks its own language: the choice is a Solara reactive variable, whose
  value Solara keeps per virtual kernel (one per tab), never one for the whole server.
- The default, in this order: the ``--lang`` given to ``socbiz dashboard`` (the environment
  variable ``SOCBIZ_DASHBOARD_LANG``, set only when it was given), then the browser's language
  (its ``Accept-Language`` header, which Chromium, Firefox and Safari build from the language
  the person chose, the same list as ``navigator.languages``), then ``SOCBIZ_LANG``, then
  English.
- The switch replaces the default for this tab. Every ``_()`` of simulation.i18n called while
  a tab renders looks the tab's language up through :func:`session_language` (registered with
  :func:`simulation.i18n.add_language_source`), and reading it subscribes the component that
  asked, so flipping the switch redraws every component that shows text, with no prop threading.
- Outside a tab (the CLI and worker processes never import this module; a server thread with
  no tab's context, or an in-process test with nothing chosen and no header) the source says
  nothing and the process language applies.
"""

from __future__ import annotations

import os

import solara

from simulation.i18n import (
    LANGUAGES,
    add_language_source,
    language_from_accept,
    normalise_language,
)

DASHBOARD_LANGUAGE_ENV = "SOCBIZ_DASHBOARD_LANG"

# None: nothing chosen in this tab yet (the default applies). One value per browser tab.
chosen_language: solara.Reactive[str | None] = solara.reactive(None)


def browser_language() -> str | None:
    """The language the browser asks for (its Accept-Language header), if socbiz speaks it."""
    headers = solara.lab.headers.value or {}
    for name, values in headers.items():
        if name.lower() == "accept-language":
            return language_from_accept(",".join(values), default=None)
    return None


def default_language() -> str | None:
    """The language a new tab starts in (None: the process language, SOCBIZ_LANG or English)."""
    from_command = os.environ.get(DASHBOARD_LANGUAGE_ENV, "").strip()
    if from_command:
        try:
            return normalise_language(from_command)
        except ValueError:
            pass  # checked by socbiz dashboard before the server started; ignore a hand-set one
    return browser_language()


def session_language() -> str | None:
    """The language of the tab being served, or None outside a dashboard session."""
    try:
        return chosen_language.value or default_language()
    except RuntimeError:  # a thread Solara knows but has not given a tab's context to
        return None


add_language_source(session_language)


def set_session_language(lang: str) -> None:
    chosen_language.value = normalise_language(lang)


@solara.component
def LanguageSwitch():
    """FR | EN toggle for the page header; the current language is the one pressed."""
    current = session_language() or "en"
    # Shown as the codes people know from websites (FR / EN), stored as the language ids.
    solara.ToggleButtonsSingle(
        value=current.upper(),
        values=[code.upper() for code in LANGUAGES],
        on_value=lambda code: set_session_language(code.lower()),
        dense=True,
        classes=["socbiz-language"],
        style={"margin-left": "12px"},
    )
