"""HTML that follows every frame of the play loop without a page render.

Kept in a module of its own because the live view, the event log, the scenario's cue banner
and the run controls all draw with it, and the live view is built from those three (one
import direction only: see tests/test_imports.py).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets
import solara

from simulation.i18n import current_language

from ..controller import Controller
from ..state import Snapshot


@solara.component
def FrameHtml(ctl: Controller, key: str, html: Callable[[Snapshot], str], classes=()):
    """HTML that follows every frame (set on its widget by the play loop, no page render)."""
    widget = solara.use_memo(lambda: ipywidgets.HTML(html(ctl.shown)), [])
    solara.use_effect(lambda: widget.close, [widget])
    lang = current_language()  # reading it here redraws the HTML when the tab's language changes

    def follow():
        def draw(snap):
            text = html(snap)
            if widget.value != text:
                widget.value = text
        draw(ctl.shown)  # now, in the language of the moment (the next frame may be far off)
        return ctl.watch(key.split("-")[0] + f"-{id(widget)}", draw)

    solara.use_effect(follow, [widget, key, lang])
    solara.Div(classes=list(classes), children=[widget])
