"""Test-wide fixtures.

Every page a test renders in process with ``solara.render`` is closed when the test ends.
An unclosed render context stays subscribed to the process's reactive globals (the tab's
language, the headers), so each later change of one of them re-rendered every page the earlier
tests of the same worker had left behind: the language tests took 400 s (and their teardowns
200 s) after the component tests, and 20 s alone.
"""

from __future__ import annotations

import contextlib
import sys

import pytest


@pytest.fixture(autouse=True)
def _close_rendered_pages(monkeypatch):
    solara = sys.modules.get("solara")  # only where a test module imported it
    if solara is None:
        yield
        return
    contexts = []
    render = solara.render

    def render_and_remember(*args, **kwargs):
        box, rc = render(*args, **kwargs)
        contexts.append(rc)
        return box, rc

    monkeypatch.setattr(solara, "render", render_and_remember)
    yield
    for rc in reversed(contexts):
        # a page that failed to render may not close cleanly: that is not this test's concern
        with contextlib.suppress(Exception):
            rc.close()
