"""The workshop: teams, rounds, decisions, incidents and results, kept in the workshop file.

Rules:
- A round goes open → locked → simulated → released. Teams submit (and change) decisions while
  it is open; the facilitator locks it, simulates it (all teams in the same market, one seed:
  see :mod:`simulation.workshop.market`), looks at the results, and releases them; releasing
  opens the next round. After the last round the workshop is finished.
- Every change is written to the workshop file (:mod:`simulation.workshop.store`) in one
  transaction before it is confirmed, so a server killed at any point resumes with nothing lost:
  :meth:`Workshop.open` rebuilds the market by re-simulating the stored rounds and checks each
  against its stored digest (replay is exact).
- Undo re-simulates from the stored decisions: the market is rebuilt up to the round before the
  last simulated one, and that round is open again with the teams' submissions kept.
- A team that did not submit plays its previous strategy without the one-off actions
  (:meth:`Decision.carried`); that decision is stored, marked carried, with the round's results.
- Who sees what: a team's private view (its decisions, its brand's series and event log) is only
  given for its own token; everyone sees the public indicators (followers, net sentiment, crises
  in the news) of released rounds. Results of a simulated round stay hidden until released.
- Every input is validated here, whatever the browser sends: the room code, team names, the
  decision (:func:`parse_decision`), incidents (:func:`parse_incident`), messages.
- Cheap for many pages: a submission is a validation and one transaction (the current round's
  decisions are mirrored in memory, so drafts and "submitted" marks read no file); what pages
  show is computed once per change and shared (``_memo``, ``_public_memo``, cleared when the
  workshop changes), and the brand series of a round are taken from the model once, when it is
  simulated (:attr:`frame`). A round is simulated outside the lock: pages keep reading the last
  results and teams keep getting answers while the model runs; the round is locked first, so no
  decision can change under it, and the results appear in one step when it is done.
"""

from __future__ import annotations

import hmac
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import _
from ..scenario import ScenarioError, load_scenario
from ..schema import ConfigError, build, one_line
from .config import (
    Decision,
    DecisionError,
    WorkshopConfig,
    initial_decision,
    market_scenario,
    parse_decision,
    team_brands,
)
from .market import Incident, MarketRun, parse_incident
from .scoring import score_round
from .store import Store, workshop_file_problem

ROOM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed on phones
MAX_NAME = 40
MAX_MESSAGE = 500


class WorkshopError(ValueError):
    """An action refused (wrong state, bad input); one line for the screen that asked."""


class ReplayMismatch(WorkshopError):
    """A round re-simulated from the file does not give its stored result."""


def room_code() -> str:
    return "".join(secrets.choice(ROOM_ALPHABET) for _ in range(6))


def clean_text(text: Any, what: str, limit: int) -> str:
    if not isinstance(text, str):
        raise WorkshopError(_("{what} must be text").format(what=what))
    text = " ".join(text.split())
    if not text:
        raise WorkshopError(_("{what} is empty").format(what=what))
    if len(text) > limit:
        raise WorkshopError(_("{what} is {n} characters long (at most {limit})").format(
            what=what, n=len(text), limit=limit))
    if any(not ch.isprintable() for ch in text):
        raise WorkshopError(_("{what} contains control characters").format(what=what))
    return text


@dataclass
class Team:
    token: str
    name: str
    brand: str
    joined: float
    removed: bool = False


class Workshop:
    """One workshop session bound to its file. Thread-safe: every method takes the lock."""

    def __init__(self, store: Store, verify: bool = True):
        self.store = store
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.public_changed = threading.Condition(self.lock)  # participants' pages wait here
        self.version = 0
        self.public_version = 0
        meta = store.meta()
        self.config: WorkshopConfig = build(WorkshopConfig, meta["config"])
        self.scenario = load_scenario(meta["scenario"])
        self.seed = int(meta["seed"])
        self.room = meta["room"]
        self.facilitator_token = meta["facilitator_token"]
        self.brands = team_brands(self.config, self.scenario)
        self.round = int(meta.get("round", 1))
        self.status = meta.get("status", "open")
        self.paused = bool(meta.get("paused", False))
        self.teams: dict[str, Team] = {t["token"]: Team(**t) for t in store.teams()}
        self.outcomes: dict[int, dict[str, Any]] = {}
        self.replay_seconds = 0.0
        self.simulating = False
        self._memo: dict[Any, Any] = {}  # cleared on every change
        self._public_memo: dict[Any, Any] = {}  # cleared on changes participants see
        self._messages: list[str] = [text for _at, text in store.messages()]
        self._rebuild(verify=verify)

    # --- creating and opening -------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, config: WorkshopConfig, base_dir: Path | None = None
               ) -> Workshop:
        path = Path(path)
        if path.exists():
            raise WorkshopError(_("{path}: workshop file exists (use --resume {path} to "
                                  "continue it, or choose another file)").format(path=path))
        scenario = market_scenario(config, base_dir)
        store = Store(path)
        store.set_meta(config=_config_dict(config), scenario=scenario.to_dict(),
                       seed=config.seed, room=room_code(),
                       facilitator_token=secrets.token_urlsafe(18), round=1, status="open",
                       paused=False, created=time.time(), format=1)
        return cls(store)

    @classmethod
    def open(cls, path: str | Path, verify: bool = True) -> Workshop:
        path = Path(path)
        if not path.is_file():
            raise WorkshopError(_("{path}: no such workshop file").format(path=path))
        problem = workshop_file_problem(path)  # checked read-only: a foreign file is not touched
        if problem:
            raise WorkshopError(_("{path}: not a socbiz workshop file ({problem})").format(
                path=path, problem=problem))
        store = Store(path)
        try:
            return cls(store, verify=verify)
        except WorkshopError:
            store.close()
            raise
        except (sqlite3.Error, json.JSONDecodeError, ScenarioError, ConfigError, KeyError,
                TypeError, ValueError) as error:
            # A file whose rows were edited or damaged: one line, not a traceback.
            store.close()
            raise WorkshopError(_("{path}: damaged workshop file: {error}").format(
                path=path, error=one_line(f"{type(error).__name__}: {error}", 200))) from None

    def close(self) -> None:
        self.store.close()

    # --- the market, rebuilt from the file --------------------------------------------------
    def _new_market(self) -> MarketRun:
        return MarketRun(self.scenario, self.seed, self.config.round_days, self.brands)

    def played_decisions(self, round_: int) -> dict[str, Decision]:
        stored = self.store.decisions(round_).get(round_, {})
        return {b: build(Decision, row["data"]) for b, row in stored.items()}

    def round_incidents(self, round_: int) -> list[Incident]:
        return [build(Incident, d) for d in self.store.incidents(round_)]

    def _rebuild(self, verify: bool = True) -> None:
        """Re-simulate every stored round (on open, and after undo)."""
        started = time.perf_counter()
        self.market = self._new_market()
        self.outcomes = {}
        for number, row in sorted(self.store.rounds().items()):
            outcome = self.market.play_round(self.played_decisions(number),
                                             self.round_incidents(number))
            if verify and outcome.digest != row["digest"]:
                raise ReplayMismatch(_("round {number}: re-simulated digest {digest} differs "
                                       "from the stored {stored}").format(
                    number=number, digest=outcome.digest, stored=row["digest"]))
            self.outcomes[number] = dict(status=row["status"], summary=outcome.summary,
                                         events=outcome.events, digest=outcome.digest,
                                         first_day=outcome.first_day,
                                         last_day=outcome.last_day,
                                         leaderboard=self._leaderboard(outcome.summary))
        self._after_market_change()
        self._load_current()
        self.replay_seconds = time.perf_counter() - started

    def _after_market_change(self) -> None:
        """Take what pages read from the model (series, strategies) once the model is still."""
        frame = self.market.frame  # taken at the end of the last round played, if any
        self.frame = frame if frame is not None else self.market.model.brand_frame()
        self.strategies = dict(self.market.strategies)
        self._memo.clear()
        self._public_memo.clear()

    def _load_current(self) -> None:
        """Mirror the current round's stored decisions (brand -> row) in memory."""
        self.current = self.store.decisions(self.round).get(self.round, {})

    def _leaderboard(self, summary):
        return score_round(summary, self.brands, self.config.scorecard)

    # --- notification -----------------------------------------------------------------------
    def _bump(self, public: bool = True) -> None:
        """Wake the pages: ``version`` counts every change (the console follows it),
        ``public_version`` only those participants' pages show (round state, results,
        messages, pause), so one team's submission does not re-render every team's page."""
        self.version += 1
        self._memo.clear()
        if public:
            self.public_version += 1
            self._public_memo.clear()
            self.public_changed.notify_all()
        self.changed.notify_all()

    def wait_change(self, seen: int, timeout: float = 1.0, public: bool = False) -> int:
        """Wait (at most ``timeout`` s) for a change after version ``seen``; pages that follow
        public changes only are not woken by a submission."""
        condition = self.public_changed if public else self.changed
        with condition:
            current = self.public_version if public else self.version
            if current == seen:
                condition.wait(timeout)
            return self.public_version if public else self.version

    # --- joining ----------------------------------------------------------------------------
    def check_facilitator(self, token: Any) -> bool:
        return isinstance(token, str) and hmac.compare_digest(
            token.encode(), self.facilitator_token.encode())

    def team(self, token: Any) -> Team | None:
        if not isinstance(token, str) or len(token) > 64:
            return None
        with self.lock:
            team = self.teams.get(token)
            return team if team and not team.removed else None

    def brand_of(self, token: Any) -> str:
        team = self.team(token)
        if team is None:
            raise WorkshopError(_("unknown team link (ask the facilitator)"))
        return team.brand

    def team_of_brand(self, brand: str) -> Team | None:
        for team in self.teams.values():
            if team.brand == brand and not team.removed:
                return team
        return None

    def free_brands(self) -> list[str]:
        taken = {t.brand for t in self.teams.values() if not t.removed}
        return [b for b in self.brands if b not in taken]

    def join(self, code: Any, name: Any) -> Team:
        with self.lock:
            if not isinstance(code, str) or not hmac.compare_digest(
                    code.strip().upper().encode(), self.room.encode()):
                raise WorkshopError(_("wrong room code"))
            name = clean_text(name, _("team name"), MAX_NAME)
            if any(t.name.lower() == name.lower() for t in self.teams.values()
                   if not t.removed):
                raise WorkshopError(_("team name {name} is taken (if it is your team, open "
                                      "your team's link again)").format(name=repr(name)))
            free = self.free_brands()
            if not free:
                raise WorkshopError(_("every brand of the market has a team (ask the "
                                      "facilitator)"))
            team = Team(secrets.token_urlsafe(16), name, free[0], time.time())
            self.store.write([("INSERT INTO teams(token, name, brand, joined, removed) VALUES "
                               "(?, ?, ?, ?, 0)", (team.token, team.name, team.brand,
                                                  team.joined))])
            self.teams[team.token] = team
            self._bump(public=False)
            return team

    def remove_team(self, brand: str) -> None:
        with self.lock:
            team = self.team_of_brand(brand)
            if team is None:
                raise WorkshopError(_("no team steers {brand}").format(brand=brand))
            self.store.write([("UPDATE teams SET removed = 1 WHERE token = ?", (team.token,))])
            team.removed = True
            self._bump()

    def reassign(self, brand: str, new_brand: str) -> None:
        """Move the team of ``brand`` to the free brand ``new_brand`` (before round 1 runs)."""
        with self.lock:
            team = self.team_of_brand(brand)
            if team is None:
                raise WorkshopError(_("no team steers {brand}").format(brand=brand))
            if self.outcomes or self.simulating:
                raise WorkshopError(_("teams can change brands only before round 1 is "
                                      "simulated"))
            if new_brand not in self.free_brands():
                raise WorkshopError(_("{brand} is not a free brand (free: {free})").format(
                    brand=new_brand, free=", ".join(self.free_brands()) or _("none")))
            self.store.write([("UPDATE teams SET brand = ? WHERE token = ?",
                               (new_brand, team.token)),
                              ("UPDATE decisions SET brand = ? WHERE brand = ?",
                               (new_brand, brand))])
            team.brand = new_brand
            self._load_current()
            self._bump()

    # --- decisions --------------------------------------------------------------------------
    def strategy(self, brand: str) -> Decision:
        """What the brand played last (its starting strategy before round 1)."""
        return self.strategies.get(brand) or initial_decision(self.scenario, brand)

    def draft(self, token: Any) -> tuple[Decision, bool]:
        """The team's decision for the current round and whether it has submitted it."""
        brand = self.brand_of(token)
        with self.lock:
            row = self.current.get(brand)
            if row and not row["carried"]:
                return build(Decision, row["data"]), True
            return self.strategy(brand).carried(), False

    def submit(self, token: Any, data: Any) -> Decision:
        with self.lock:
            brand = self.brand_of(token)
            if self.status == "finished":
                raise WorkshopError(_("the workshop is over"))
            if self.paused:
                raise WorkshopError(_("the workshop is paused"))
            if self.status != "open":
                raise WorkshopError(_("round {number} is locked: decisions can no longer "
                                      "change").format(number=self.round))
            try:
                decision = parse_decision(data, self.scenario, brand, self.config.round_days,
                                          self.config.budget_per_round)
            except DecisionError as error:
                raise WorkshopError(str(error)) from None
            data = decision.as_dict()
            statement = self.store.submit_sql(self.round, brand, data)
            self.store.write([statement])
            previous = self.current.get(brand)
            self.current[brand] = dict(
                data=json.loads(statement[1][2]), carried=False, submitted=statement[1][3],
                revision=(previous["revision"] + 1) if previous else 1)
            self._bump(public=False)
            return decision

    def revision(self, token: Any) -> int:
        """How many times the team has saved its decision for the current round."""
        brand = self.brand_of(token)
        with self.lock:
            row = self.current.get(brand)
            return int(row["revision"]) if row and not row["carried"] else 0

    def submitted(self) -> dict[str, bool]:
        with self.lock:
            stored = self.current
            return {b: b in stored and not stored[b]["carried"] for b in self.brands}

    # --- the facilitator's round controls ---------------------------------------------------
    def _set_state(self, **values) -> list[tuple[str, tuple]]:
        for key, value in values.items():
            setattr(self, key, value)
        return [self.store.set_meta_sql(k, v) for k, v in values.items()]

    def lock_round(self) -> None:
        with self.lock:
            if self.status != "open":
                raise WorkshopError(_("round {number} is {status}, not open").format(
                    number=self.round, status=_(self.status)))
            self.store.write(self._set_state(status="locked"))
            self._bump()

    def unlock_round(self) -> None:
        with self.lock:
            self._check_idle()
            if self.status != "locked":
                raise WorkshopError(_("round {number} is {status}, not locked").format(
                    number=self.round, status=_(self.status)))
            self.store.write(self._set_state(status="open"))
            self._bump()

    def _check_idle(self) -> None:
        if self.simulating:
            raise WorkshopError(_("round {number} is being simulated: wait for its results")
                                .format(number=self.round))

    def simulate(self) -> dict[str, Any]:
        """Lock the round (if open), run it in the market, store its results (not released).

        The model runs outside the lock (see the rules above): only the facilitator's page
        waits for it."""
        with self.lock:
            self._check_idle()
            if self.status == "open":  # lock it; the pages hear of it once, below
                self.store.write(self._set_state(status="locked"))
            if self.status != "locked":
                raise WorkshopError(_("round {number} is {status}, not locked").format(
                    number=self.round, status=_(self.status)))
            number = self.round
            played = self.played_decisions(number)
            carried = [b for b in self.brands if b not in played]
            for brand in carried:
                played[brand] = self.strategy(brand).carried()
            incidents = self.round_incidents(number)
            self.simulating = True
            self._bump()  # participants see the round locked

        try:
            outcome = self.market.play_round(played, incidents)
            leaderboard = self._leaderboard(outcome.summary)
        except BaseException:
            with self.lock:  # a half-run market is not kept: rebuild it from the file
                self.simulating = False
                self._rebuild()
                self._bump(public=False)
            raise
        with self.lock:
            statements = [self.store.submit_sql(number, b, played[b].as_dict(), carried=True)
                          for b in carried]
            statements.append((
                "INSERT OR REPLACE INTO rounds(round, status, summary, events, digest, "
                "simulated) VALUES (?, 'simulated', ?, ?, ?, ?)",
                (number, json.dumps(outcome.summary), json.dumps(outcome.events),
                 outcome.digest, time.time())))
            statements += self._set_state(status="simulated")
            self.store.write(statements)
            self.outcomes[number] = dict(status="simulated", summary=outcome.summary,
                                         events=outcome.events, digest=outcome.digest,
                                         first_day=outcome.first_day,
                                         last_day=outcome.last_day,
                                         leaderboard=leaderboard, seconds=outcome.seconds)
            self._after_market_change()
            self._load_current()
            self.simulating = False
            # Only the console hears of it: participants' pages change at release, so a round
            # costs each page one re-render (lock) plus one (results), not three.
            self._bump(public=False)
            return self.outcomes[number]

    def release(self) -> None:
        with self.lock:
            if self.status != "simulated":
                raise WorkshopError(_("round {number} is {status}: simulate it first").format(
                    number=self.round, status=_(self.status)))
            number = self.round
            statements = [("UPDATE rounds SET status = 'released' WHERE round = ?", (number,))]
            if number >= self.config.rounds:
                statements += self._set_state(status="finished")
            else:
                statements += self._set_state(round=number + 1, status="open")
            self.store.write(statements)
            self.outcomes[number]["status"] = "released"
            self._load_current()
            self._bump()

    def undo(self) -> int:
        """Take back the last simulated round; returns its number (open again)."""
        with self.lock:
            self._check_idle()
            if not self.outcomes:
                raise WorkshopError(_("no round has been simulated yet"))
            last = max(self.outcomes)
            statements = [("DELETE FROM rounds WHERE round = ?", (last,)),
                          ("DELETE FROM decisions WHERE round = ? AND carried = 1", (last,)),
                          ("DELETE FROM decisions WHERE round > ?", (last,)),
                          ("DELETE FROM incidents WHERE round > ?", (last,))]
            statements += self._set_state(round=last, status="open")
            self.store.write(statements)
            self._rebuild()
            self._bump()
            return last

    def add_incident(self, data: Any) -> Incident:
        with self.lock:
            self._check_idle()
            if self.status not in ("open", "locked"):
                raise WorkshopError(_("round {number} is {status}: incidents go into a round "
                                      "before it is simulated").format(
                    number=self.round, status=_(self.status)))
            try:
                incident = parse_incident(data, self.brands, self.config.round_days)
            except ConfigError as error:
                raise WorkshopError(error.message()) from None
            self.store.write([("INSERT INTO incidents(round, data) VALUES (?, ?)",
                               (self.round, json.dumps(incident.as_dict())))])
            self._bump()
            return incident

    def broadcast(self, text: Any) -> None:
        with self.lock:
            text = clean_text(text, _("message"), MAX_MESSAGE)
            self.store.write([("INSERT INTO messages(at, text) VALUES (?, ?)",
                               (time.time(), text))])
            self._messages.append(text)
            self._bump()

    def set_paused(self, paused: bool) -> None:
        with self.lock:
            self.store.write(self._set_state(paused=bool(paused)))
            self._bump()

    # --- views ------------------------------------------------------------------------------
    def released_rounds(self) -> list[int]:
        return sorted(n for n, o in self.outcomes.items() if o["status"] == "released")

    def last_released_day(self) -> int:
        released = self.released_rounds()
        return self.outcomes[released[-1]]["last_day"] if released else 0

    def messages(self) -> list[str]:
        return list(self._messages)

    def public_view(self) -> dict[str, Any]:
        """What every participant may see: public indicators of released rounds (computed
        once per public change and shared by every page: treat it as read-only)."""
        with self.lock:
            view = self._public_memo.get("public")
            if view is None:
                view = self._public_memo["public"] = self._public_view()
            return view

    def shared_memo(self, key: Any, build_view) -> Any:
        """``build_view()`` once per public change for every page that asks with ``key`` (e.g.
        the market table of one language): treat the value as read-only."""
        with self.lock:
            memo = self._public_memo
            if key not in memo:
                memo[key] = build_view()
            return memo[key]

    def _public_view(self) -> dict[str, Any]:
        released = self.released_rounds()
        rows = []
        news = []
        if released:
            summary = self.outcomes[released[-1]]["summary"]
            for b in self.brands:
                team = self.team_of_brand(b)
                rows.append(dict(brand=b, team=team.name if team else "(autopilot)",
                                 followers=summary[b]["followers"],
                                 sentiment=summary[b]["sentiment"],
                                 crises=summary[b]["crises"]))
            for n in released:
                for e in self.outcomes[n]["events"]:
                    if e["kind"] == "crisis_start":
                        news.append(dict(round=n, day=e["day"], brand=e["brand"],
                                         text=e["text"], index=e.get("index")))
        board = self.outcomes[released[-1]]["leaderboard"] if released else []
        return dict(round=self.round, status=self.status, paused=self.paused,
                    released=released, brands=rows, news=news, leaderboard=board,
                    messages=self.messages(), title=self.config.title,
                    total_rounds=self.config.rounds,
                    boundaries=[self.outcomes[n]["last_day"] for n in released])

    def released_frames(self) -> dict[str, Any]:
        """Each brand's daily series up to the last released day (split once, shared)."""
        with self.lock:
            frames = self._public_memo.get("frames")
            if frames is None:
                frame = self.frame[self.frame["day"] <= self.last_released_day()]
                frames = {b: rows.reset_index(drop=True)
                          for b, rows in frame.groupby("brand", sort=False)}
                self._public_memo["frames"] = frames
            return frames

    def event_text(self, event: dict[str, Any]) -> str:
        """An event's sentence in the language of the moment (views are shared by pages of
        both languages; their stored ``text`` is in the language the round was simulated in)."""
        index = event.get("index")
        logged = self.market.model.log_book.events
        if isinstance(index, int) and 0 <= index < len(logged):
            found = logged[index]
            if found.day == event["day"] and found.brand == event["brand"]:
                return str(found.text)
        return event["text"]

    def private_view(self, token: Any) -> dict[str, Any]:
        """A team's own brand in detail, up to its last released round."""
        brand = self.brand_of(token)
        with self.lock:
            key = ("private", brand)
            view = self._memo.get(key)
            if view is not None:
                return view
            released = self.released_rounds()
            frame = self.released_frames().get(brand, self.frame.iloc[:0])
            events = [e for n in released for e in self.outcomes[n]["events"]
                      if e["brand"] == brand]
            history = {n: row["data"] for n, row in sorted(
                (n, rows[brand]) for n, rows in self.store.decisions().items() if brand in rows)}
            summary = self.outcomes[released[-1]]["summary"][brand] if released else None
            view = self._memo[key] = dict(brand=brand, frame=frame, events=events,
                                          decisions=history, summary=summary,
                                          released=tuple(released))
            return view

    def console_view(self) -> dict[str, Any]:
        with self.lock:
            submitted = self.submitted()
            teams = [dict(brand=b, team=(t.name if (t := self.team_of_brand(b)) else ""),
                          submitted=submitted[b]) for b in self.brands]
            return dict(round=self.round, status=self.status, paused=self.paused,
                        simulating=self.simulating, teams=teams,
                        incidents=[i.describe() for i in self.round_incidents(self.round)],
                        outcomes=self.outcomes, room=self.room, free=self.free_brands())

    # --- replay -----------------------------------------------------------------------------
    def verify(self) -> list[tuple[int, str, str]]:
        """Re-simulate every stored round from scratch; (round, stored, re-simulated)."""
        market = self._new_market()
        out = []
        for number, row in sorted(self.store.rounds().items()):
            outcome = market.play_round(self.played_decisions(number),
                                        self.round_incidents(number))
            out.append((number, row["digest"], outcome.digest))
        return out


def _config_dict(config: WorkshopConfig) -> dict[str, Any]:
    from ..schema import to_mapping

    return to_mapping(config)


def open_or_create(path: str | Path, config: WorkshopConfig | None, base_dir=None,
                   resume: bool = False) -> Workshop:
    if resume:
        return Workshop.open(path)
    if config is None:
        raise ScenarioError(_("no workshop settings"))
    return Workshop.create(path, config, base_dir)
