"""The one workshop of this server process, shared by every browser session.

It is opened from the file named by ``SOCBIZ_WORKSHOP_FILE`` (the command created or resumed it
before starting the server), once, under a lock; every page then talks to the same object,
which serialises changes and writes each to the file before confirming it.
"""

from __future__ import annotations

import os
import threading
from urllib.parse import parse_qs

import solara

from simulation.workshop.engine import Workshop

_lock = threading.Lock()
_workshop: Workshop | None = None


def workshop() -> Workshop:
    global _workshop
    with _lock:
        if _workshop is None:
            _workshop = Workshop.open(os.environ["SOCBIZ_WORKSHOP_FILE"])
        return _workshop


def query() -> dict[str, str]:
    """The page's query parameters (first value of each)."""
    search = solara.use_router().search or ""
    return {k: v[0] for k, v in parse_qs(search).items() if v}


def follow_changes(current, wait_change, deliver, cancel: threading.Event,
                   coalesce: float = 0.0) -> None:
    """The watcher of :func:`use_version`: ``deliver(current())`` after each change, until
    ``cancel`` is set. With ``coalesce`` seconds, it waits that long after a change and
    delivers once for every change made meanwhile."""
    seen = current()
    while not cancel.is_set():
        if wait_change(seen) == seen:
            continue
        if coalesce and cancel.wait(coalesce):
            return
        seen = current()
        deliver(seen)


def use_version(public: bool = False, coalesce: float = 0.0) -> int:
    """Re-render this session when the workshop changes (a thread per session, freed when the
    session closes). Participants' pages follow only public changes (``public=True``).

    ``coalesce`` seconds: see :func:`follow_changes`. The console's team list uses it: forty
    teams submitting within a second cost it a few re-renders instead of forty, and each of
    those competed with the submissions themselves for the server's cores."""
    ws = workshop()
    current = (lambda: ws.public_version) if public else (lambda: ws.version)
    version, set_version = solara.use_state(current())

    def watch(cancel):
        follow_changes(current, lambda seen: ws.wait_change(seen, timeout=1.0, public=public),
                       set_version, cancel, coalesce)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    return version


def use_watched(value_of):
    """``value_of()``, re-rendering this component only when its value changes (checked at
    each change of the workshop): e.g. the console's team buttons follow the roster, not
    every submission."""
    ws = workshop()
    value, set_value = solara.use_state(value_of())

    def watch(cancel):
        seen = value_of()
        while not cancel.is_set():
            version = ws.version
            now = value_of()
            if now != seen:
                seen = now
                set_value(now)
            ws.wait_change(version, timeout=1.0)

    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    return value


def join_url() -> str:
    return os.environ.get("SOCBIZ_WORKSHOP_JOIN_URL", "")


def console_url() -> str:
    return os.environ.get("SOCBIZ_WORKSHOP_CONSOLE_URL", "")
