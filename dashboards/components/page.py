"""The page: one independent simulation per browser tab.

Layout: the sidebar holds the scenario picker, the run controls and the levers; the main area has
five tabs (Live, Network & organisation, Compare, Export, Scenario). Only the open tab is drawn,
so playing costs only what is on screen.

The session is created inside the component (``solara.use_memo``), so every browser tab, and
every workshop participant, gets a model of its own: nothing is shared at module level.
"""

from __future__ import annotations

import logging
import os
import threading

import solara
import solara.lab

from simulation.i18n import _, _l, msg

from .. import sessions
from ..controller import DEFAULT_SPEED, Controller
from ..state import Session
from .common import CSS, MessageBar
from .compare import CompareView
from .controls import RunControls
from .export import ExportView
from .language import LanguageSwitch
from .layout import LayoutStyle, ProjectorToggle
from .levers import LeverPanel
from .live import LiveView
from .network import NetworkView
from .scenario import ScenarioDetails, ScenarioPicker, ScenarioSummary

log = logging.getLogger("socbiz.dashboard")

SCENARIO_ENV = "SOCBIZ_DASHBOARD_SCENARIO"
SEED_ENV = "SOCBIZ_DASHBOARD_SEED"
TABS = (_l("Live"), _l("Network & organisation"), _l("Compare"), _l("Export"), _l("Scenario"))


def initial_session() -> Session:
    """The scenario chosen on the command line (``socbiz dashboard NAME``), else the default.

    If it cannot be loaded (it was checked before the server started, but files change), the
    default scenario is used and the problem is reported on the page.
    """
    scenario = os.environ.get(SCENARIO_ENV) or None
    seed = os.environ.get(SEED_ENV) or None
    try:
        return Session(scenario, seed=int(seed) if seed else None)
    except Exception as error:
        log.warning("cannot load %s: %s; using the default scenario", scenario, error)
        session = Session(None)
        session.startup_problem = msg("Could not load {scenario}: {error}. Showing the default.",
                                      scenario=scenario, error=str(error))
        return session


@solara.component
def Dashboard(session: Session):
    """The whole dashboard for one session (one browser tab)."""
    first = solara.use_memo(session.snapshot, [])
    # Only the components that show the snapshot read it (not this one): a frame re-renders
    # the Live tab and the day counter, not the sidebar.
    snap = solara.use_reactive(first)
    setup = solara.use_reactive(first.setup)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    pause_at_cues = solara.use_reactive(False)
    problem = getattr(session, "startup_problem", None)
    message = solara.use_reactive(("warning", problem) if problem else None)
    tab = solara.use_reactive(0)
    ctl = solara.use_memo(
        lambda: Controller(session, snap, setup, playing, speed, pause_at_cues, message), [])
    session.on_adopted = lambda: ctl.attempt(ctl.publish)  # a reload found its old session

    def play_loop():
        # A thread of our own, not solara.lab.use_task: each use_task registers a kernel-start
        # callback in a module-level list that Solara never empties, which kept every closed
        # tab's controller, snapshot and series alive. Solara's threads carry the kernel's
        # context; the loop ends by itself when playing goes False (see Controller.play).
        if playing.value:
            threading.Thread(target=ctl.play, name="socbiz-play", daemon=True).start()

    solara.use_effect(play_loop, [playing.value])

    solara.Style(CSS)
    LayoutStyle()  # compact on small screens; the projector mode's when it is on
    config = setup.value.config
    title = str(config.title or config.name)  # the scenario's title, in the tab's language
    solara.Title(_("socbiz: {title}").format(title=title))
    with solara.AppBar():
        solara.AppBarTitle(_("socbiz · {title}").format(title=title))
        solara.Button(_("Mesa view"), icon_name="mdi-open-in-new", text=True, href="mesa",
                      target="_blank", classes=["socbiz-mesa-link"])
        ProjectorToggle()
        LanguageSwitch()  # FR | EN, the browser's language by default (components/language.py)
    with solara.Sidebar():
        with solara.Card(_("Scenario"), margin=0):
            ScenarioPicker(ctl)
            ScenarioSummary(ctl)
        with solara.Card(_("Run"), margin=0):
            RunControls(ctl)
        with solara.Card(_("Levers"), margin=0):
            LeverPanel(ctl)
    MessageBar(message)
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab(str(TABS[0]), icon_name="mdi-chart-line"):
            if tab.value == 0:
                LiveView(ctl)
        with solara.lab.Tab(str(TABS[1]), icon_name="mdi-graph-outline"):
            if tab.value == 1:
                NetworkView(ctl)
        with solara.lab.Tab(str(TABS[2]), icon_name="mdi-compare"):
            if tab.value == 2:
                CompareView(ctl)
        with solara.lab.Tab(str(TABS[3]), icon_name="mdi-download"):
            if tab.value == 3:
                ExportView(ctl)
        with solara.lab.Tab(str(TABS[4]), icon_name="mdi-book-open-variant"):
            if tab.value == 4:
                ScenarioDetails(ctl)


@solara.component
def Page():
    """One tab: its session, kept across a reload of the tab (see dashboards/sessions.py)."""
    session = solara.use_memo(initial_session, [])
    tab = solara.use_memo(sessions.TabToken, [])
    state = solara.use_memo(dict, [])
    state["session"] = session

    def keep_across_reloads():
        try:
            from solara.server import kernel_context

            cookie = solara.get_session_id()
            context = kernel_context.get_current_context()
        except Exception:  # rendered outside a Solara server (tests): nothing to restore
            return None

        def connected(owner: str) -> bool:
            other = kernel_context.contexts.get(owner)
            return other is not None and not other.closed_event.is_set() and any(
                str(getattr(v, "value", v)) == "connected" for v in other.page_status.values())

        def hello(token):
            try:
                answer(token)
            except Exception:
                log.exception("could not restore the tab's session")

        def answer(token):
            found = sessions.claim(token, cookie, context.id, connected)
            if found is not None:
                state["token"] = token
                mine = state["session"]
                if found is not mine:
                    mine.adopt(found)  # the page's session takes the old one's run over
                    sessions.register(token, cookie, mine, context.id)
                    on_adopted = getattr(mine, "on_adopted", None)
                    if on_adopted is not None:
                        on_adopted()
            else:
                state["token"] = sessions.new_token()
                sessions.register(state["token"], cookie, state["session"], context.id)
            tab.token = state["token"]

        def closed():
            if state.get("token"):
                sessions.park(state["token"], context.id)
            else:  # never told its token (no script ran): nothing can come back for it
                sessions.release(state["session"])
            tab.on_hello = None
            state.clear()

        tab.on_hello = hello
        context.on_close(closed)
        return None

    solara.use_effect(keep_across_reloads, [])
    solara.Div(children=[tab], style={"display": "none"})
    Dashboard(session)
