"""Run controls: play / pause, step, reset, speed, the day counter and the seed."""

from __future__ import annotations

import solara

from simulation.i18n import _, format_number, parse_integer

from ..controller import SPEEDS, Controller, speed_key, speed_label
from ..state import check_seed
from .common import escape
from .frame import FrameHtml


def day_html(snap) -> str:
    share = 100 * snap.day / max(snap.horizon, 1)
    end = (f"<div class='socbiz-help'>"
           f"{escape(_('The run has reached its horizon: Reset to start again.'))}</div>"
           if not snap.running and snap.error is None else "")
    day = escape(_("Day {day} of {horizon}").format(day=format_number(snap.day),
                                                     horizon=format_number(snap.horizon)))
    return (f"<div class='socbiz-day' data-day='{snap.day}'>{day}"
            f"</div><div class='socbiz-progress'><div style='width:{share:.1f}%'></div></div>"
            + end)


@solara.component
def DayCounter(ctl: Controller):
    FrameHtml(ctl, "day", day_html)


@solara.component
def RunControls(ctl: Controller):
    """Play, pause, step, reset and speed, for the tab's own simulation."""
    setup = ctl.setup.value
    playing = ctl.playing.value
    seed_text, set_seed_text = solara.use_state(str(setup.seed))
    seed_error, set_seed_error = solara.use_state("")

    def sync_seed():
        set_seed_text(str(setup.seed))
        set_seed_error("")

    solara.use_effect(sync_seed, [setup.seed])

    def commit_seed(text):
        set_seed_text(text)
        try:
            seed = check_seed(text)
        except ValueError as error:
            set_seed_error(str(error))
            return
        set_seed_error("")

        def action():
            ctl.session.set_seed(seed)
            ctl.publish()
        ctl.attempt(action)

    DayCounter(ctl)
    with solara.Row(gap="6px", style={"flex-wrap": "wrap", "margin-top": "6px"}):
        solara.Button(
            _("Pause") if playing else _("Play"),
            icon_name="mdi-pause" if playing else "mdi-play",
            color="primary",
            on_click=ctl.toggle_play,
            disabled=not setup.running and not playing,
            classes=["socbiz-play"],  # keys.vue sends the day on screen with the click
        )
        solara.Button(_("Step"), icon_name="mdi-step-forward", on_click=lambda: ctl.step(1),
                      disabled=playing or not setup.running, outlined=True)
        solara.Button(_("+7 days"), on_click=lambda: ctl.step(7),
                      disabled=playing or not setup.running, outlined=True)
        solara.Button(_("Reset"), icon_name="mdi-restart", on_click=ctl.reset, outlined=True)
    with solara.Row(gap="8px", style={"align-items": "center", "margin-top": "4px"}):
        # The speed is kept as its key (SPEEDS); the list shows its words in the tab's language.
        solara.Select(_("Speed"), value=speed_label(ctl.speed.value),
                      values=[speed_label(key) for key in SPEEDS],
                      on_value=lambda label: ctl.speed.set(speed_key(label)),
                      # room for the longest speed ("Le plus vite possible" is not cut)
                      style={"min-width": "200px", "max-width": "230px"})
        solara.InputText(_("Seed"), value=seed_text, on_value=commit_seed, error=seed_error or False,
                         style={"max-width": "110px"})
    run_to_text, set_run_to_text = solara.use_state("")
    run_to_error, set_run_to_error = solara.use_state("")

    def run_to(text=None):
        text = run_to_text if text is None else text
        set_run_to_text(text)
        try:
            day = parse_integer(text)
        except ValueError:
            set_run_to_error(_("{text} is not a day: type a whole number of days").format(
                text=repr(str(text).strip())))
            return
        horizon = setup.config.horizon_days
        if not 1 <= day <= horizon:
            set_run_to_error(_("day {day}: between 1 and {horizon}, the horizon").format(
                day=format_number(day), horizon=format_number(horizon)))
            return
        set_run_to_error("")
        ctl.play_to(day)

    with solara.Row(gap="8px", style={"align-items": "center"}):
        solara.InputText(_("Play to day"), value=run_to_text, on_value=run_to,
                         error=run_to_error or False, style={"max-width": "170px"})
        solara.Button(_("Go"), icon_name="mdi-debug-step-over", on_click=lambda: run_to(),
                      disabled=playing or not setup.running, outlined=True)
    solara.Checkbox(label=_("Pause at the trainer's cues"), value=ctl.pause_at_cues)
    KeyboardShortcuts(ctl)
    if setup.pending_levers:
        with solara.Row(style={"align-items": "center"}):
            solara.Warning(_("Lever or seed changes wait for a restart of the run."), dense=True)
        solara.Button(_("Restart with the new values"), icon_name="mdi-restart", color="warning",
                      on_click=ctl.reset, disabled=playing)


@solara.component
def KeyboardShortcuts(ctl: Controller):
    """Space: play / pause; →: one day (when paused). The list is shown, the keys work
    anywhere on the page but in a text field."""
    from ..keys import SHORTCUTS, Keys

    def step():
        if not ctl.playing.value and (ctl.session.running or ctl.view_day is not None):
            ctl.step(1)

    def back():
        if not ctl.playing.value and ctl.day > 0:
            ctl.look_back(ctl.day - 1)

    keys = solara.use_memo(lambda: Keys(), [])
    keys.actions = {"space": ctl.toggle_play, "right": step, "left": back}
    keys.on_screen_day = ctl.note_day_on_screen
    solara.use_effect(lambda: keys.close, [keys])
    solara.Div(children=[keys])
    items = "".join(f"<li><kbd>{escape(str(key))}</kbd> {escape(str(what))}</li>"
                    for key, what in SHORTCUTS)
    solara.HTML(tag="div", classes=["socbiz-help", "socbiz-shortcuts"], unsafe_innerHTML=(
        f"<b>{escape(_('Keyboard shortcuts'))}</b><ul>{items}</ul>"))
