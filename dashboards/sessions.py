"""A tab's session survives a reload of the tab, and is freed within a minute of its closing.

Rules:
- Each browser tab keeps a random token in its ``sessionStorage`` (one per tab, kept across a
  reload, never shared with other tabs). The token is made on the server
  (``secrets.token_urlsafe``), so it needs no secure context in the browser.
- When a tab's Solara kernel closes (the tab was closed or reloaded, or Solara culled a page
  that vanished, see ``KERNEL_CULL_TIMEOUT`` in simulation/dashboard_cli.py), its session is
  *parked* under its token and the browser's Solara session cookie for ``KEEP_SECONDS``. A page
  that comes back with the same token and cookie within that time adopts it (scenario, levers,
  seed, the run and its interventions); a session still in use by a tab is never adopted by
  another one (a duplicated tab copies sessionStorage: it gets a fresh session).
- After ``KEEP_SECONDS`` a parked session is dropped and the memory given back to the system
  (a garbage collection, then ``malloc_trim`` where the C library has it), so the server's
  memory returns to its level before the tabs were opened.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import secrets
import threading
import time

import ipyvuetify
import traitlets

log = logging.getLogger("socbiz.dashboard")

KEEP_ENV = "SOCBIZ_DASHBOARD_KEEP_SECONDS"
DEFAULT_KEEP_SECONDS = 30.0
LATE_RELEASE_SECONDS = 5.0

_lock = threading.Lock()
# token -> (cookie, session, owner): every tab's session, with the kernel that shows it now
_sessions: dict[str, list] = {}
_parked_until: dict[str, float] = {}  # token -> when a parked session is dropped


def keep_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(KEEP_ENV, DEFAULT_KEEP_SECONDS)))
    except ValueError:
        return DEFAULT_KEEP_SECONDS


def new_token() -> str:
    return secrets.token_urlsafe(18)


def register(token: str, cookie: str, session, owner: str) -> None:
    with _lock:
        _sessions[token] = [cookie, session, owner]


def claim(token: str | None, cookie: str, owner: str, is_connected) -> object | None:
    """The session of ``token`` for the kernel ``owner``, if this browser (``cookie``) had it
    and no connected tab shows it (``is_connected(old_owner)``: a duplicated tab gets a
    fresh session); else None."""
    if not token:
        return None
    with _lock:
        entry = _sessions.get(token)
        if entry is None or not secrets.compare_digest(entry[0], cookie):
            return None
        if entry[2] != owner and is_connected(entry[2]):
            return None
        entry[2] = owner
        _parked_until.pop(token, None)
        return entry[1]


def park(token: str, owner: str) -> None:
    """The kernel ``owner`` closed: keep its session for a reload, then free it (unless
    another kernel took it meanwhile)."""
    keep = keep_seconds()
    with _lock:
        entry = _sessions.get(token)
        if entry is None or entry[2] != owner:
            return
        _parked_until[token] = time.monotonic() + keep
    later(keep + 0.1, sweep)


def later(delay: float, function) -> None:
    """Call ``function()`` after ``delay`` seconds, in a thread of its own that carries no tab.

    Solara hands every new thread the kernel context it was started in (park runs while a
    kernel closes) and, when such a thread ends, leaves a ``_DummyThread`` behind in
    ``threading._active`` for good (its context's ``__exit__`` runs after the thread was
    deregistered): one per closed tab. Sweeping needs no kernel, so the timer gets none.
    """
    timer = threading.Timer(delay, function)
    timer.daemon = True
    timer.current_context = None  # read by solara.server.patch's Thread._bootstrap
    timer.start()


def sweep() -> int:
    """Drop the parked sessions whose time is up; returns how many were dropped."""
    now = time.monotonic()
    with _lock:
        expired = [token for token, until in _parked_until.items() if until <= now]
        dropped = []
        for token in expired:
            del _parked_until[token]
            entry = _sessions.pop(token, None)
            if entry is not None:
                dropped.append(entry[1])
        left, parked = len(_sessions), len(_parked_until)
    for session in dropped:
        release(session)
    if expired:
        release_memory()
        if not parked:
            # Once more when the last tab is gone: the closed kernels' threads and widgets let
            # go of their last objects a few seconds after the sweep (measured: ~10 MB more
            # given back than by the sweep's own collection).
            later(LATE_RELEASE_SECONDS, release_memory)
        log.info("freed %d closed tab(s); %d session(s) left", len(expired), left)
    return len(expired)


def session_count() -> int:
    with _lock:
        return len(_sessions)


def release(session) -> None:
    """Free what a session holds (its model and series), whoever still points at it: a closed
    page's widgets and callbacks may outlive it a while, the memory does not."""
    try:
        session.release()
    except Exception:  # freeing must never fail a close
        log.exception("could not free a session")


def release_memory() -> None:
    gc.collect()
    # Not glibc: the memory is reused, just not returned to the system.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class TabToken(ipyvuetify.VuetifyTemplate):
    """Reads the tab's token from sessionStorage, tells Python (``on_hello``), and stores the
    token Python answers with."""

    template_file = (__file__, "sessions.vue")
    token = traitlets.Unicode("").tag(sync=True)
    on_hello = None

    def vue_hello(self, token=None):
        if self.on_hello is not None:
            self.on_hello(token if isinstance(token, str) and len(token) < 100 else None)

