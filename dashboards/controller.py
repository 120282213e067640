"""What the buttons do: one :class:`Controller` per browser tab, between the page and its session.

The controller owns the tab's reactive state (the snapshot on display, playing or not, the speed,
the last message) and turns clicks into session calls. Every action catches what can go wrong
and turns it into a message on the page: a refused value, a scenario file that does not load,
or even a bug in the model never shows a traceback to a workshop.

Playing runs :meth:`Controller.play` in a background thread. Frames are decoupled from days:
while the browser draws a frame, the loop simulates the days of the next one (those the chosen
speed owes by the next frame time, or at the fastest speed as many as fit until the browser is
ready), then sends them once the browser said it drew the last frame. Server and browser work
at the same time (two cores), the pace of the simulation is kept, and at high speed several
days pass between two pictures.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from simulation import ScenarioError
from simulation.i18n import Message, _, format_number, msg, ngettext

from .state import Session, Snapshot

log = logging.getLogger("socbiz.dashboard")

FRAME_SECONDS = 0.085  # frames are at least this far apart (at most about 12 a second)
FRAME_WAIT_SECONDS = 1.0  # waiting for the browser to draw a frame, at most
CUE_WAIT_SECONDS = 5.0  # waiting for the cue day's frame before the cue banner, at most
CLICKED_DAY_SECONDS = 5.0  # the day sent with a Pause click is used if it came this recently
# While playing, a frame goes straight to the widgets that show it (charts, cards, day counter,
# cue, event log: see Controller.watch); the rest of the page (forms) is re-rendered by Solara
# when the run stops, because one Solara render of the whole tab costs more than a frame.
# Simulating the next frame's days, at most (frames >= 10/s), and at the fastest speed, where
# the days go on while the browser draws, until the browser is ready or for this long (a year
# in 5 s is 73 days a second; a slow browser gets fewer frames with more days in each).
MAX_BURST_SECONDS = 0.08
FASTEST_SECONDS = 0.25
SPEEDS = {  # label -> simulated days per second (0: as fast as possible)
    "1 day/s": 1.0,
    "2 days/s": 2.0,
    "5 days/s": 5.0,
    "10 days/s": 10.0,
    "20 days/s": 20.0,
    "50 days/s": 50.0,
    "As fast as possible": 0.0,
}
DEFAULT_SPEED = "20 days/s"


def speed_label(key: str) -> str:
    """The words for a key of SPEEDS in the language of the moment ("20 jours/s")."""
    rate = SPEEDS.get(key)
    if rate is None:
        return key
    if rate <= 0:
        return _("As fast as possible")
    return ngettext("{n} day/s", "{n} days/s", int(rate)).format(n=format_number(rate))


def speed_key(label: str) -> str:
    """The key of SPEEDS a label (in either language, or the key itself) stands for."""
    if label in SPEEDS:
        return label
    for key in SPEEDS:
        if speed_label(key) == label:
            return key
    return label


class Controller:
    """A tab's session plus the reactive values its components read."""

    def __init__(self, session: Session, snap, setup, playing, speed, pause_at_cues, message):
        self.session = session
        self.snap = snap  # Reactive[Snapshot]: changes every frame
        self.setup = setup  # Reactive[Setup]: changes when the scenario, levers or seed do
        self.playing = playing  # Reactive[bool]
        self.speed = speed  # Reactive[str], a key of SPEEDS
        self.pause_at_cues = pause_at_cues  # Reactive[bool]
        self.message = message  # Reactive[tuple[str, str] | None]: (kind, text)
        self.frames = 0
        self.last_frame_seconds = 0.0
        self.shown: Snapshot = snap.value  # the last frame drawn (may be newer than snap)
        self._watchers: dict[str, Callable[[Snapshot], None]] = {}
        # Browser charts that report the frames they drew (flow control, see play()).
        self.charts: dict[str, Any] = {}
        self.run_to: int | None = None  # "Run to day N": playing stops on that day
        # Looking back: the page shows the run as of this day, earlier than the model's (the
        # timeline scrubber, or Pause pressed while the next frame was on its way). Play and
        # Step then replay the days already simulated before simulating new ones.
        self.view_day: int | None = None
        self.drawn = threading.Event()
        self.time_lock = threading.RLock()  # the day shown and the model's day move under it
        self.seen_day = 0  # the latest day ever published (a branch keeps the run beyond it)
        self._clicked_day: tuple[int, float] | None = None  # (day on screen, when) at a click
        # Set by Pause before anything else, so the loop stops even while a frame is drawing.
        self.stop = threading.Event()
        # Each play loop has a number; an older loop still finishing a frame when Play is
        # pressed again sees a newer number and stops (one loop per tab, never two).
        self._generation = 0
        self._generation_lock = threading.Lock()

    # -- publishing -------------------------------------------------------------------------------
    def watch(self, key: str, draw: Callable[[Snapshot], None]) -> Callable[[], None]:
        """Have ``draw(snapshot)`` called at every frame (returns the function that stops it).

        Used by the widgets that move while playing: they update their own data, with no
        Solara render of the page."""
        self._watchers[key] = draw
        if self.shown is not None:
            self._draw(self.shown)

        def forget():
            if self._watchers.get(key) is draw:
                del self._watchers[key]
        return forget

    def track(self, key: str, feed) -> Callable[[], None]:
        """Follow a browser chart's reports of the frames it drew (returns: stop following)."""
        self.charts[key] = feed
        feed.on_drawn = self.drawn.set

        def forget():
            if self.charts.get(key) is feed:
                del self.charts[key]
                feed.on_drawn = None
        return forget

    def note_day_on_screen(self, day: int) -> None:
        """The browser says which day its charts show, just before a Play/Pause click or
        Space (dashboards/keys.vue): Pause stops on exactly that day."""
        self._clicked_day = (int(day), time.monotonic())

    def day_on_screen(self) -> int:
        """The day the user is looking at: the one the browser sent with the Pause click (if
        it came within the last seconds), else the oldest among the charts that report their
        frames, else the last day published."""
        clicked, self._clicked_day = self._clicked_day, None
        if clicked is not None and time.monotonic() - clicked[1] < CLICKED_DAY_SECONDS:
            return min(clicked[0], self.day)
        reporting = [f.drawn_days for f in list(self.charts.values()) if f.drawn_days >= 1]
        return min(reporting) - 1 if reporting else self.shown.day

    @property
    def day(self) -> int:
        """The day shown: the model's, or the one looked back at."""
        return self.session.day if self.view_day is None else self.view_day

    def settle_charts(self) -> None:
        """The run stopped: every browser chart draws its newest day whole, now."""
        for feed in list(self.charts.values()):
            try:
                feed.settle()
            except Exception:  # a closed tab's widget: nothing to draw
                log.debug("settle failed", exc_info=True)

    def wait_on_screen(self, timeout: float) -> bool:
        """Wait until the browser has drawn the last frame (False: it did not in time)."""
        waited = time.perf_counter()
        while not self.frame_on_screen() and time.perf_counter() - waited < timeout:
            self.drawn.wait(0.01)
            self.drawn.clear()
        return self.frame_on_screen()

    def frame_on_screen(self) -> bool:
        """True when every browser chart that reports its frames has drawn the last one (or
        none reports: no browser, as in tests)."""
        reporting = [f for f in list(self.charts.values()) if f.drawn_days >= 0]
        return all(f.drawn_days >= f.sent_days for f in reporting)

    def _draw(self, snap: Snapshot) -> None:
        for key, draw in list(self._watchers.items()):
            try:
                draw(snap)
            except Exception:  # a chart must never stop the run
                log.exception("frame of %s failed", key)

    def publish(self, page: bool = True) -> Snapshot:
        """Show the run as it is now: a frame for the watching widgets, and (``page``) a Solara
        render of the rest of the page."""
        started = time.perf_counter()
        snap = self.session.snapshot()
        if self.view_day is not None:
            if self.view_day >= snap.day:
                self.view_day = None
            else:
                snap = snap.at(self.view_day)
        self.shown = snap
        self.seen_day = max(self.seen_day, snap.day)
        self._draw(snap)
        if page:
            setup = snap.setup
            if setup != self.setup.value:  # the sidebar redraws only when it has to
                self.setup.set(setup)
            self.snap.set(snap)
        self.frames += 1
        self.last_frame_seconds = time.perf_counter() - started
        return snap

    def say(self, kind: str, text: str | Message) -> None:
        """Show ``text`` above the tabs; a Message is rendered in the tab's language of the
        moment (a switch of language re-words it)."""
        self.message.set((kind, text))

    def attempt(self, action: Callable[[], Any], success: str | Message | None = None) -> bool:
        """Run an action; show its error as a message instead of raising. True if it worked."""
        try:
            action()
        except (ScenarioError, ValueError) as error:
            self.say("error", str(error))
            return False
        except Exception as error:  # a bug: keep the page alive, tell the user, log the trace
            log.exception("dashboard action failed")
            self.say("error", msg("Something went wrong: {kind}: {error}",
                                  kind=type(error).__name__, error=str(error)))
            return False
        if success:
            self.say("success", success)
        return True

    # -- run controls -----------------------------------------------------------------------------
    def step(self, days: int = 1) -> None:
        def action():
            left = days
            if self.view_day is not None:  # days already simulated are shown first
                shown = min(self.view_day + days, self.session.day)
                left -= shown - self.view_day
                self.view_day = shown
            if left > 0:
                self.view_day = None
                self.session.step(left)
            self.publish()
        self.attempt(action)

    def pause(self) -> None:
        """Stop on the day on screen. The model may be a frame ahead (the next frame is
        simulated once the browser drew the last one, and may be on its way): the page then
        stays on the day the browser showed when Pause was pressed, and the days simulated
        beyond it are replayed, not lost, at the next Play or Step."""
        with self.time_lock:
            self.stop.set()
            self.run_to = None
            if self.playing.value:
                on_screen = self.day_on_screen()
                if on_screen < self.day:
                    self.view_day = on_screen
        self.playing.set(False)
        self.settle_charts()

    def look_back(self, day: int | None) -> None:
        """Show the run as it was at the end of ``day`` (None or the model's day: now)."""
        if self.playing.value:
            self.pause()
        self.view_day = None if day is None or day >= self.session.day else max(0, int(day))
        self.attempt(self.publish)

    def branch(self) -> None:
        """Start a what-if from the day looked back at (see :meth:`Session.branch`)."""
        day = self.day
        if self.playing.value:
            self.pause()

        def action():
            self.session.branch(day)
            self.view_day = None
            self.publish()
        self.attempt(action, msg("Branched from day {day}: the original run is drawn dashed; "
                                 "interventions now act on the what-if.", day=day))

    def catch_up_for_change(self) -> None:
        """Before an intervention while looking back: the model goes back to the day shown
        (a branch when the later days were on screen, so the original stays drawn)."""
        if self.view_day is not None:
            day, self.view_day = self.view_day, None
            seen_later = self.seen_day > day
            self.session.branch(day)
            if not seen_later:  # only a frame that never reached the screen was dropped
                self.session.forget_original()

    def toggle_play(self) -> None:
        if self.playing.value:
            self.pause()
        elif self.session.running:
            self._clicked_day = None  # the day sent with this Play click is not a Pause's
            self.stop.clear()
            self.message.set(None)
            self.playing.set(True)


    def play_to(self, day: int) -> None:
        """Play until ``day`` and stop on it (a day already passed: nothing happens)."""
        if day <= self.session.day:
            self.say("info", msg("Day {day} is already past (the run is on day {now}): Reset to "
                                 "start again.", day=day, now=self.session.day))
            return
        self.run_to = day
        if not self.playing.value:
            self.toggle_play()

    def reset(self) -> None:
        self.pause()

        def action():
            self.session.reset()
            self.view_day = None
            self.seen_day = 0
            self.publish()
        self.attempt(action, msg("Restarted from day 0."))

    def play(self) -> None:
        """The play loop (runs in a background thread until paused or at the horizon).

        Pipelined: while the browser draws frame N, the server simulates the days of frame
        N + 1; once the browser says it drew N (and the frame time has come), N + 1 is
        published at once. The model is thus at most one frame ahead of the screen, and
        Pause stops on the day drawn (see :meth:`pause`: the days beyond it are replayed).
        At a set speed the days owed by the next frame time are simulated; "As fast as
        possible" simulates until the browser is ready for the next frame (frames decoupled
        from days: a slow browser gets fewer frames with more days in each).
        """
        with self._generation_lock:
            self._generation += 1
            mine = self._generation

        def playing() -> bool:
            return self._generation == mine and self.playing.value and not self.stop.is_set()

        session = self.session
        speed_label = self.speed.value
        started, owed_from = time.perf_counter(), self.day
        next_frame = time.perf_counter()  # when the next frame may be published
        cue_days = {cue.day for cue in session.config.narrative}
        page_gone = page_watcher()
        days_per_frame = 1  # days simulated for the last frame (replays go at that pace)

        def more() -> bool:  # days left to show: replayed ones, or the model's
            return self.view_day is not None or session.running

        try:
            while playing() and more():
                if page_gone():  # the tab was closed: stop using the CPU for nobody
                    self.playing.set(False)
                    break
                cycle_started = time.perf_counter()
                if self.speed.value != speed_label:  # the speed changed while playing
                    speed_label, started, owed_from = (self.speed.value, cycle_started,
                                                       self.day)
                rate = SPEEDS.get(speed_label, 10.0)
                publish_at = max(next_frame, cycle_started)
                # The days of the next frame, simulated while the browser draws the last one.
                # Publishing costs last_frame_seconds: the days stop that much before.
                sim_until = publish_at - self.last_frame_seconds
                if rate > 0:
                    target = owed_from + int((publish_at - started) * rate)
                else:
                    target = self.day + 10**9
                if self.run_to is not None:
                    target = min(target, self.run_to)
                at_cue, first_day, replayed = None, self.day, 0
                while True:
                    now = time.perf_counter()
                    if now - cycle_started >= (MAX_BURST_SECONDS if rate > 0
                                               else FASTEST_SECONDS):
                        break  # a frame is never held back long (a slow machine)
                    if rate == 0 and self.day > first_day and now >= sim_until \
                            and self.frame_on_screen():
                        break  # the browser is ready for the next frame: publish it
                    with self.time_lock:  # Pause never lands between a check and a day
                        if not (self.day < target and more() and playing()):
                            break
                        if self.view_day is not None:  # a day already simulated: shown again
                            if rate == 0 and replayed >= days_per_frame:
                                break
                            self.view_day += 1
                            replayed += 1
                            if self.view_day >= session.day:
                                self.view_day = None
                        else:
                            session.step(1)
                    if self.pause_at_cues.value and self.day in cue_days:
                        at_cue = self.day
                        break
                if at_cue is not None:
                    self.stop_at_cue(at_cue)
                    return
                if self.day > first_day and not replayed:
                    days_per_frame = max(1, self.day - first_day)
                if rate > 0 and self.day < target - 2 * rate * FRAME_SECONDS:
                    # The server cannot keep the pace: do not pile up a debt of days.
                    started, owed_from = time.perf_counter(), self.day
                # Flow control: the frame goes once the browser has drawn the last one (and
                # not before the frame time), so a slow browser gets fewer, fuller frames.
                waited = time.perf_counter()
                while playing() and (time.perf_counter() < next_frame or (
                        not self.frame_on_screen()
                        and time.perf_counter() - waited < FRAME_WAIT_SECONDS)):
                    if time.perf_counter() < next_frame:
                        time.sleep(min(0.005, max(next_frame - time.perf_counter(), 0.001)))
                    else:
                        self.drawn.wait(0.005)
                        self.drawn.clear()
                if not playing():
                    break
                if self.day != self.shown.day:
                    next_frame = time.perf_counter() + FRAME_SECONDS  # a cap on frames/s
                    self.publish(page=False)
                elif rate > 0:  # no new day owed yet (a slow speed): look again shortly
                    time.sleep(0.005)
                if self.run_to is not None and self.day >= self.run_to:
                    self.run_to = None
                    self.stop.set()
                    self.playing.set(False)
                    break
        except Exception as error:
            log.exception("play loop stopped")
            self.say("error", msg("The simulation stopped: {error}. Press Reset to start "
                                  "again.", error=str(error)))
        if page_gone() or self._generation != mine:
            return
        if not more():
            self.playing.set(False)
        try:
            self.publish()
            self.settle_charts()
        except Exception:
            log.exception("could not publish the last frame")

    def stop_at_cue(self, day: int) -> None:
        """A trainer's cue: the cue day's frame is drawn first, then the banner says why the
        run stopped, and only then is Play given back."""
        self.publish(page=False)
        self.settle_charts()  # the cue day drawn whole, before the banner
        self.wait_on_screen(CUE_WAIT_SECONDS)
        cue = next(c for c in self.session.config.narrative if c.day == day)
        # The cue's words are the scenario's own (Localized: they follow the tab's language).
        if cue.ask:
            text = msg("Paused at the trainer's cue for day {day}: {watch} Ask: {question}",
                       day=cue.day, watch=cue.watch, question=cue.ask)
        else:
            text = msg("Paused at the trainer's cue for day {day}: {watch}", day=cue.day,
                       watch=cue.watch)
        self.stop.set()
        self.say("info", text)
        self.playing.set(False)
        self.publish()


def page_watcher() -> Callable[[], bool]:
    """A function telling whether the browser tab of the current Solara kernel is gone (closed,
    or every page of it disconnected); always False outside a Solara server."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:
        return lambda: False

    def gone() -> bool:
        closed = getattr(context, "closed_event", None)
        if closed is not None and closed.is_set():
            return True
        status = dict(getattr(context, "page_status", {}) or {})
        return bool(status) and not any(
            str(getattr(s, "value", s)) == "connected" for s in status.values())

    return gone
