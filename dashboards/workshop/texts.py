"""The workshop screens' words, through the project's catalogue (simulation.i18n), in each
browser session's language.

Rules:
- English strings are the msgids; their French is in the catalogue (``make translations``).
- A page's language, in this order: the page's ``lang`` query parameter (the EN | FR switch on
  every page), then ``socbiz workshop --lang`` if it was given (``SOCBIZ_WORKSHOP_LANG_FIXED``),
  then, on participants' pages, the browser's ``Accept-Language`` (if it asks for English or
  French), then the workshop's language (``lang`` of the workshop file, ``SOCBIZ_LANG``).
- The language is kept per browser session (in the Solara kernel context's ``user_dicts``, so it
  goes when the session closes); :func:`t` and :func:`speaking` use it in any thread that
  serves the session (renders, event handlers).
"""

from __future__ import annotations

import contextlib
import os

from simulation.i18n import (
    LANGUAGES,
    LazyString,
    Localized,
    _,
    _l,
    current_language,
    language,
    normalise_language,
)

# Every screen text, for the catalogue (pybabel extracts the _l() literals; the French is in
# simulation/locale/fr/LC_MESSAGES/socbiz.po).
SCREEN_TEXTS = (
    _l('Join the workshop'),
    _l('Room code'),
    _l('Team name'),
    _l('Join'),
    _l('Team'),
    _l('brand'),
    _l('Round'),
    _l('of'),
    _l('open'),
    _l('locked'),
    _l('simulated'),
    _l('released'),
    _l('finished'),
    _l('Paused by the facilitator'),
    _l('Your decisions for this round'),
    _l('Posts per day'),
    _l('Content mix'),
    _l('Push share'),
    _l('Customer-service hours hired per day'),
    _l('Departments trained this round'),
    _l('Training coverage'),
    _l('Listening coverage'),
    _l('Social CRM integration'),
    _l('Agency'),
    _l('Executive sponsorship'),
    _l('Submit decisions'),
    _l('Saved'),
    _l('revision'),
    _l('Refused'),
    _l('Budget used'),
    _l('Your brand'),
    _l('Followers'),
    _l('Engagements this round'),
    _l('Net sentiment'),
    _l('Maturity'),
    _l('Phase'),
    _l('Score'),
    _l('Rank'),
    _l('Event log'),
    _l('The market (public indicators)'),
    _l('Crises in the news'),
    _l('Leaderboard'),
    _l('Messages'),
    _l('No results yet: the first round has not been released.'),
    _l('Facilitator console'),
    _l("Access refused: this page needs the facilitator's link."),
    _l('Unknown team link: join again with the room code.'),
    _l('Participants join at'),
    _l('Teams'),
    _l('submitted'),
    _l('waiting'),
    _l('Lock'),
    _l('Unlock'),
    _l('Simulate'),
    _l('Release results'),
    _l('Undo last round'),
    _l('Pause'),
    _l('Resume'),
    _l('Remove'),
    _l('Move to'),
    _l('Incident'),
    _l('Add incident'),
    _l('Broadcast'),
    _l('Message to every team'),
    _l('Send'),
    _l('Projector view'),
    _l('Debrief pack'),
    _l('Counterfactual'),
    _l('Key events of the round'),
    _l('Round simulated in'),
    _l('autopilot'),
    _l('Kind'),
    _l('Target'),
    _l('Cause'),
    _l('Factor'),
    _l('Day of the round'),
    _l('all brands'),
    _l('none'),
    _l('Download the debrief pack'),
    _l('What happened'),
    _l('Change'),
    _l('team'),
    _l('Round {number} of {total}: {status}'),
    _l('Round {number}, day {day}: {text}'),
    _l('Day {day}: {text}'),
    _l('followers'),
    _l('net sentiment'),
    _l('crises'),
    _l('score'),
    _l('phase'),
    _l('Being simulated…'),
    _l('Language'),
    # Translators: a label and its value ("Room code: 2VZMYB"); French puts a space before ":".
    _l('{label}: {value}'),
)

def phase_label(phase: float) -> str:
    from simulation.vocabulary import PHASES  # the one table of the phases' names

    label = PHASES.get(int(phase))
    return t(label) if label is not None else str(int(phase))


_KEY = "socbiz.workshop.language"


def _context():
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context()
    except Exception:  # outside a browser session (tests, the command line)
        return None


def _browser_language(accept: str) -> str | None:
    """English or French if the browser asks for one of them (in its order), else None."""
    for part in accept.split(","):
        tag = part.split(";")[0].strip()
        try:
            return normalise_language(tag)
        except ValueError:
            continue
    return None


def choose_language(query: str | None, accept: str | None, participant: bool) -> str:
    if query in LANGUAGES:
        return query
    fixed = os.environ.get("SOCBIZ_WORKSHOP_LANG_FIXED", "")
    if fixed in LANGUAGES:
        return fixed
    if participant and accept:
        browser = _browser_language(accept)
        if browser:
            return browser
    return current_language()


def use_page_language(query: str | None, participant: bool) -> str:
    """Decide this session's language (call at the top of each page) and remember it."""
    import solara.lab

    headers = solara.lab.headers.value or {}
    accept = ",".join(headers.get("accept-language", []))
    lang = choose_language(query, accept, participant)
    context = _context()
    if context is not None:
        context.user_dicts[_KEY] = {"lang": lang}
    return lang


def session_language() -> str:
    context = _context()
    stored = context.user_dicts.get(_KEY) if context is not None else None
    return stored["lang"] if stored else current_language()


@contextlib.contextmanager
def speaking():
    """Everything in the block (catalogue, numbers, errors) in this session's language."""
    with language(session_language()):
        yield


def t(text) -> str:
    """A screen text (a msgid or a lazy string) in this session's language (English if the
    catalogue has none)."""
    if isinstance(text, Localized):  # written in each language by the workshop's author
        return text.in_language(session_language())
    with language(session_language()):
        return str(text) if isinstance(text, LazyString) else _(text)


def tf(message: str, /, **values) -> str:
    """A screen text with named placeholders, translated then filled."""
    with language(session_language()):
        return _(message).format(**values)



def _switch_links(params: dict[str, str]) -> str:
    from html import escape
    from urllib.parse import urlencode

    current = session_language()
    links = []
    for code in LANGUAGES:
        if code == current:
            links.append(f"<b>{code.upper()}</b>")
        else:
            href = escape("?" + urlencode({**params, "lang": code}))
            links.append(f'<a href="{href}" class="workshop-lang-{code}">{code.upper()}</a>')
    return " | ".join(links)


def LanguageSwitch(params: dict[str, str]):
    """EN | FR at the top of a page: the same page (same team link) in the other language."""
    import solara

    return solara.HTML(tag="div", unsafe_innerHTML=_switch_links(params),
                       style={"text-align": "right", "font-size": "0.85em"})


def LabelledSelect(label: str, options, value, on_value, disabled: bool = False):
    """A select that shows human labels and hands back ids: ``options`` is ``[(id, label)]``.

    The labels are read in this session's language (a lazy label is translated here); the id
    never reaches the screen and the server receives only ids (it validates them anyway).
    """
    import solara

    ids = [option_id for option_id, _label in options]
    labels = [t(option_label) for _id, option_label in options]
    by_label = dict(zip(labels, ids, strict=True))
    shown = labels[ids.index(value)] if value in ids else None
    return solara.Select(label, values=labels, value=shown,
                         on_value=lambda chosen: on_value(by_label.get(chosen, value)),
                         disabled=disabled)
