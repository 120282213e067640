"""One browser tab's simulation, independent of Solara.

A :class:`Session` holds what one strategist (or one workshop participant) is exploring:

- the scenario as loaded (a preset or a TOML file) and the *levers* changed from it: scenario
  values such as ``brands.acme.content.posts_per_day`` that define the run from day 0;
- the seed, and the running :class:`~simulation.SocialBusinessModel`;
- the *interventions* made while it runs (training, sponsorship, a crisis ...), which act on the
  running model and are logged by it.

Rules:

- A lever is validated with the scenario loader before it is accepted; a refused value raises
  :class:`~simulation.ScenarioError` with the loader's one-line message and changes nothing.
  Levers define the run from day 0: at day 0 the model is rebuilt at once, later the change waits
  for :meth:`Session.reset` (``pending_levers`` says so), so a run is never silently restarted.
- Every read or write of the model holds the session's lock: the play loop steps the model in
  a background thread while the page applies interventions from another. Components never read
  the live model; they draw a :class:`Snapshot`, an immutable copy made under the lock.
- An intervention made while the run shows day d goes through ``model.apply``, which makes it
  act at once as the start of day d+1 (day d is over) and logs it on that day: exactly where a
  scenario's timeline entry for day d+1 acts. The what-if exported as TOML keeps each one on the
  day the model recorded, so ``socbiz run`` reruns the very same run.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation import ScenarioError, SocialBusinessModel, list_scenarios, load_scenario, views
from simulation.config import ScenarioConfig
from simulation.events import EventLog
from simulation.i18n import Message, _, msg
from simulation.scenario import DEFAULT_SCENARIO, read_toml, scenario_to_toml
from simulation.views import CustomerStates, NetworkSample, OrganisationView

NETWORK_SAMPLE_SIZE = 300
# A scenario file is a few kilobytes; anything much larger is a mistake (or an attack on the
# server's memory), refused before it is read.
MAX_UPLOAD_BYTES = 256 * 1024
# Folders given with ``socbiz dashboard --scenarios-dir`` (os.pathsep-separated).
SCENARIOS_DIRS_ENV = "SOCBIZ_DASHBOARD_SCENARIOS_DIRS"
# The colour of each customer state of the network view (the states and their names are
# simulation.views.CUSTOMER_STATES).
CUSTOMER_STATE_COLOURS: Mapping[str, str] = {
    "not_engaging": "#d9d9d9",
    "engaging": "#9ecae1",
    "follower": "#2171b5",
    "fatigued_follower": "#f4a261",
    "negative": "#e63946",
    "open_complaint": "#6a040f",
}


class Source(Message):
    """Where the scenario came from, in words ("preset 'crisis-wakeup'" / "préréglage ..."),
    rendered in the reader's language; ``kind`` ("preset", "file", "uploaded", "scenario") is
    what code tests. It also answers str methods, as the text of the moment."""

    def __init__(self, kind: str, said: Message):
        super().__init__(said.template, said.values, said.plural, said.n)
        self.kind = kind

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickling and copying ask for these before state is set
            raise AttributeError(name)
        return getattr(self.render(), name)


def preset_source(name: str) -> Source:
    return Source("preset", msg("preset '{name}'", name=name))


class Session:
    """A scenario, its levers, a seed, a running model and the interventions made on it."""

    def __init__(
        self,
        scenario: str | Path | ScenarioConfig | Mapping[str, Any] | None = None,
        *,
        seed: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        source: str | None = None,
    ):
        self.lock = threading.RLock()
        self.version = 0
        if overrides:  # part of the scenario as loaded, not lever changes
            scenario = load_scenario(scenario if scenario is not None else DEFAULT_SCENARIO,
                                     overrides)
            source = source or Source("scenario", msg(
                "scenario '{name}' with {keys} changed", name=scenario.name,
                keys=", ".join(overrides)))
        self._load(scenario, source)
        if seed is not None:
            self.seed = check_seed(seed)
        self.reset()

    # -- scenario and levers -----------------------------------------------------------------
    def _load(self, scenario, source: Source | None) -> None:
        config = load_scenario(scenario if scenario is not None else DEFAULT_SCENARIO)
        self.base: ScenarioConfig = config
        self.config: ScenarioConfig = config
        self.overrides: dict[str, Any] = {}
        self.seed: int = config.seed
        if source is not None:
            self.source = source
        elif isinstance(scenario, str | Path) and str(scenario) in list_scenarios():
            self.source = preset_source(str(scenario))
        elif isinstance(scenario, str | Path):
            self.source = Source("file", msg("file {name}", name=str(scenario)))
        elif scenario is None:
            self.source = preset_source(DEFAULT_SCENARIO)
        else:
            self.source = Source("scenario", msg("scenario '{name}'", name=config.name))

    def load(self, scenario, source: Source | None = None) -> None:
        """Switch to another scenario (levers and interventions are dropped)."""
        with self.lock:
            old = (self.base, self.config, self.overrides, self.seed, getattr(self, "source", ""))
            try:
                self._load(scenario, source)
                self.reset()
            except Exception:
                self.base, self.config, self.overrides, self.seed, self.source = old
                raise

    def load_toml_bytes(self, name: str, content: bytes) -> None:
        """Load a scenario from an uploaded TOML file (nothing in it is executed)."""
        import tomllib

        name = Path(str(name)).name[:120] or "uploaded.toml"
        if len(content) > MAX_UPLOAD_BYTES:
            raise ScenarioError(too_large(name, len(content)))
        stem = Path(name).stem or "uploaded"
        try:
            data = tomllib.loads(content.decode("utf-8"))
        except UnicodeDecodeError:
            raise ScenarioError(_("{name}: not a text file (expected UTF-8 TOML)").format(
                name=name)) from None
        except tomllib.TOMLDecodeError as error:
            raise ScenarioError(_("{name}: not valid TOML: {error}").format(
                name=name, error=error)) from None
        data.setdefault("name", stem)
        self.load(data, source=Source("uploaded", msg("uploaded file {name}", name=name)))

    def load_path(self, path: str) -> None:
        """Load a scenario from a TOML file on the server's disk: only a ``.toml`` file inside
        one of the scenario folders (:func:`scenario_folders`). Anyone who can open the page
        can type a path, so every refusal is the same sentence, whether the file is missing,
        outside the folders, not TOML, too large or unreadable: the answer never tells which
        other files exist on the server."""
        text = str(path).strip().strip('"').strip("'")
        if not text:
            raise ScenarioError(_("type the path of a .toml scenario file"))
        file = allowed_scenario_file(text)
        if file is None:
            raise ScenarioError(refused_path(text))
        self.load(str(file), source=Source("file", msg("file {name}", name=file.name)))

    def set_lever(self, key: str, value: Any) -> bool:
        """Change a scenario value; raises ScenarioError (and changes nothing) if refused.

        Returns True if the model was rebuilt at once (day 0), False if the change waits for
        :meth:`reset`.
        """
        with self.lock:
            wanted = {**self.overrides, key: value}
            config = load_scenario(self.base, wanted)
            if _value_at(config, key) == _value_at(self.base, key):
                del wanted[key]  # back to the scenario's own value: no longer a change
            self.overrides = wanted
            self.config = config
            if self.model.time_day == 0 and not self.live:
                self.reset()
                return True
            self.pending_levers = True
            self.version += 1
            return False

    def clear_levers(self) -> None:
        with self.lock:
            self.overrides = {}
            self.config = self.base
            self.pending_levers = True
            if self.model.time_day == 0 and not self.live:
                self.reset()

    def set_seed(self, seed: Any) -> None:
        with self.lock:
            self.seed = check_seed(seed)
            if self.model.time_day == 0 and not self.live:
                self.reset()
            else:
                self.pending_levers = True
                self.version += 1

    # -- running -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Rebuild the model from day 0 with the current levers and seed."""
        with self.lock:
            self.model = SocialBusinessModel(self.config, rng=self.seed)
            # What the running model was built from (levers changed since wait for a reset):
            # a branch re-simulates from these, so its first days are the run's very days.
            self.run_config, self.run_seed = self.config, self.seed
            self.original: Original | None = None
            self.live: list[LiveIntervention] = []
            self.pending_levers = False
            self.error: str | Message | None = None
            self._network = None
            self.history = History(self.model)
            self.version += 1

    @property
    def day(self) -> int:
        return self.model.time_day

    @property
    def running(self) -> bool:
        return self.model is not None and bool(self.model.running) and self.error is None

    def step(self, days: int = 1) -> int:
        """Advance up to ``days`` days (stops at the horizon); returns the days simulated."""
        done = 0
        with self.lock:
            while done < days and self.running:
                try:
                    self.model.step()
                except Exception as error:  # a model bug must not take the page down
                    self.error = msg("the simulation stopped on day {day}: {error}",
                                     day=self.day, error=str(error))
                    raise
                done += 1
            if done:
                self.version += 1
            self.history.catch_up(self.model)
        return done

    def intervene(self, request: Mapping[str, Any]) -> LiveIntervention:
        """Apply an intervention now; returns it with its event-log sentence.

        Raises ValueError with a one-line message if the request is refused.
        """
        with self.lock:
            if not self.running:
                raise ValueError(_("the run has reached day {day}, its horizon: press Reset to "
                                   "start again").format(day=self.day))
            text = self.model.apply(dict(request))
            applied = self.model.applied[-1]
            item = LiveIntervention(day=applied.day, intervention=applied, request=dict(request),
                                    text=text)
            self.live.append(item)
            self.history.catch_up(self.model)
            self.version += 1
            return item

    def branch(self, day: int) -> None:
        """Go back to the end of ``day`` and go on from there as a what-if.

        The model is rebuilt from day 0 with the run's scenario, seed and the interventions
        that acted up to ``day``, and re-simulated to ``day``: runs are deterministic, so this is
        the state the run had on that day (a test checks the days are the same). The run as it
        was (its days after ``day`` included) is kept as :attr:`original`, which the charts
        draw dashed beside the what-if; interventions made later act on the branch only.
        """
        with self.lock:
            day = max(0, min(int(day), self.day))
            if day == self.day:
                return
            before = Original(self.history, self.history.n_days, day)
            kept = [item for item in self.live if item.day <= day]
            config = self.run_config
            timeline = merged_timeline(config.timeline, kept)
            model = SocialBusinessModel(dataclasses.replace(config, timeline=timeline),
                                        rng=self.run_seed)
            while model.time_day < day and model.running:
                model.step()
            self.model = model
            self.live = kept
            self.error = None
            self._network = None
            self.history = History(model)
            # The first original stays the reference when branching again from a branch.
            self.original = self.original or before
            self.version += 1

    def adopt(self, other: Session) -> None:
        """Take over everything ``other`` holds (a reloaded tab finding its session again: the
        page keeps its own session object, which becomes the old one)."""
        with self.lock, other.lock:
            own_lock = self.lock
            self.__dict__.update({k: v for k, v in other.__dict__.items()
                                  if k not in ("lock", "on_adopted")})
            self.lock = own_lock
            self.version += 1

    def release(self) -> None:
        """Drop the model and the series (the tab is gone for good): the memory is freed even
        if something still points at the session."""
        with self.lock:
            for history in (self.history, getattr(self.original, "history", None)):
                if history is not None:
                    history.release()
            self.model = None
            self.original = None
            self._network = None
            self.error = msg("this session was closed")

    def forget_original(self) -> None:
        with self.lock:
            self.original = None
            self.version += 1

    # -- what-if --------------------------------------------------------------------------------
    def whatif_config(self) -> ScenarioConfig:
        """The scenario with the levers and the seed, and the live interventions scheduled."""
        with self.lock:
            config = self.config
            timeline = merged_timeline(config.timeline, self.live)
            note = whatif_note(self)
            return dataclasses.replace(
                config,
                seed=self.seed,
                timeline=timeline,
                title=f"{config.title or config.name} (what-if)",
                description=(config.description.rstrip() + "\n\n" + note).strip() + "\n",
            )

    def whatif_toml(self) -> str:
        """The what-if as TOML that ``socbiz run`` accepts (checked by loading it back)."""
        config = self.whatif_config()
        text = scenario_to_toml(config)
        import tomllib

        data = tomllib.loads(text)
        data["name"] = config.name
        load_scenario(data)  # refuse to hand out a file that would not load
        return text

    # -- what the page draws ---------------------------------------------------------------------
    def snapshot(self, network: bool = False) -> Snapshot:
        """What the page shows now. Cheap: the series are the :class:`History` kept day by day
        (the snapshot keeps its length, not a copy); the customer network's states are read
        only when asked for (the Network tab), so playing costs only what is on screen."""
        with self.lock:
            model = self.model
            self.history.catch_up(model)
            organisation = sample = states = None
            if network:
                organisation = views.organisation(model)
                sample = self.network_sample()
                states = views.customer_states(model, sample.nodes)
            return Snapshot(
                version=self.version,
                day=self.day,
                horizon=model.config.horizon_days,
                running=self.running,
                seed=self.seed,
                config=self.config,
                source=self.source,
                history=self.history,
                n_days=self.history.n_days,
                n_events=self.history.n_events,
                organisation=organisation,
                network=sample,
                customer_states=states,
                live=tuple(self.live),
                overrides=dict(self.overrides),
                pending_levers=self.pending_levers,
                error=self.error,
                model_day=self.day,
                original=self.original,
            )

    def network_sample(self) -> NetworkSample:
        """A connected sample of at most 300 customers with a fixed layout (once per model)."""
        with self.lock:
            if self._network is None:
                self._network = views.network_sample(self.model, NETWORK_SAMPLE_SIZE, self.seed)
            return self._network

    def run_view(self) -> views.RunView:
        """A view of the whole run as it is now (exports), with its real metadata: the status,
        and the wall time the model spent building and stepping."""
        with self.lock:
            model = self.model
            status = ("complete" if not model.running
                      else f"exported from the dashboard at day {model.time_day}")
            return views.run_view(model, network=self.network_sample(), status=status)

    def export(self) -> tuple[views.RunView, str]:
        """The run's view and its what-if TOML, taken at the same moment."""
        with self.lock:
            return self.run_view(), self.whatif_toml()


@dataclass(frozen=True)
class LiveIntervention:
    """An intervention made from the page, as the model applied it."""

    day: int  # the day the model recorded: it acted at the start of that day
    intervention: Any
    request: dict[str, Any]
    text: str  # the event-log sentence


@dataclass(frozen=True)
class Setup:
    """What defines the run (changes rarely): the sidebar draws this, not the snapshot."""

    config: ScenarioConfig
    source: str
    seed: int
    overrides: dict[str, Any]
    pending_levers: bool
    running: bool


@dataclass(frozen=True)
class Snapshot:
    """Everything the page shows, as of one moment (``n_days`` days of ``history``)."""

    version: int
    day: int
    horizon: int
    running: bool
    seed: int
    config: ScenarioConfig
    source: str
    history: History
    n_days: int
    n_events: int
    # The organisation, the network sample and the customers' states: only in a snapshot taken
    # with ``network=True`` (the Network and Export tabs), not at every frame.
    organisation: OrganisationView | None = None
    network: NetworkSample | None = None
    customer_states: CustomerStates | None = None
    live: tuple[LiveIntervention, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)
    pending_levers: bool = False
    error: str | None = None
    model_day: int = -1  # the day the model is on (above ``day`` when looking back)
    original: Original | None = None  # the run before a branch, drawn dashed

    @property
    def looking_back(self) -> bool:
        return self.day < self.model_day

    def at(self, day: int) -> Snapshot:
        """The run as it was at the end of an earlier ``day`` (the timeline scrubber, and
        Pause while a frame was on its way): series and events up to that day."""
        day = max(0, min(int(day), self.day))
        if day == self.day:
            return self
        n_events = sum(1 for e in self.history.events[:self.n_events] if e.day <= day)
        return dataclasses.replace(self, day=day, n_days=day + 1, n_events=n_events,
                                   running=True, model_day=max(self.model_day, self.day))

    @property
    def brands(self) -> list[str]:
        return list(self.config.brands)

    @property
    def setup(self) -> Setup:
        return Setup(self.config, self.source, self.seed, dict(self.overrides),
                     self.pending_levers, self.running)

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The tidy time series up to this snapshot's day (as ``model.brand_frame()``)."""
        return self.history.frame(self.n_days)

    @functools.cached_property
    def events(self) -> pd.DataFrame:
        return self.history.event_frame(self.n_events)

    def value(self, brand: str, column: str, day: int | None = None) -> Any:
        """A brand's reported value on ``day`` (default: the snapshot's day)."""
        index = self.n_days - 1 if day is None else min(max(day, 0), self.n_days - 1)
        return self.history.column(brand, column)[index]

    def recent_mean(self, brand: str, column: str, days: int, day: int | None = None) -> float:
        stop = self.n_days if day is None else min(max(day, 0), self.n_days - 1) + 1
        values = self.history.column(brand, column)[max(0, stop - days):stop]
        return float(np.mean(values)) if values else float("nan")


class History:
    """The run's daily series, kept day by day for the page (append-only until a reset).

    It copies the records of the model's DataCollector as they appear (a day's records never
    change afterwards), so a frame costs the new days only, where ``model.brand_frame()``
    rebuilds every day's table. :meth:`frame` gives the same table as ``brand_frame()``
    (checked by a test), for exports and the comparison.
    """

    def __init__(self, model: SocialBusinessModel):
        brand_columns, model_columns = views.reporter_columns(model)
        self.brand_columns = list(brand_columns)
        self.model_columns = list(model_columns)
        self._brand_at = self.brand_columns.index("brand")
        self.records: list[tuple] = []  # per day: the brands' record tuples
        self.model_rows: dict[str, list] = {c: [] for c in self.model_columns}
        self.series: dict[str, dict[str, list]] = {}
        self.events: list = []
        self.catch_up(model)

    @property
    def n_days(self) -> int:
        return len(self.records)

    def release(self) -> None:
        self.records, self.series, self.events = [], {}, []
        self.model_rows = {c: [] for c in self.model_columns}

    @property
    def n_events(self) -> int:
        return len(self.events)

    def catch_up(self, model: SocialBusinessModel) -> None:
        """Copy the days and events the model recorded since the last call (caller holds the
        session's lock)."""
        new = views.records_since(model, self.n_days, self.n_events)
        for rows in new.brand_rows:
            for row in rows:
                brand = row[2 + self._brand_at]
                columns = self.series.get(brand)
                if columns is None:
                    columns = self.series[brand] = {c: [] for c in self.brand_columns}
                    columns.update({c: [] for c in self.model_columns})
                for name, value in zip(self.brand_columns, row[2:], strict=True):
                    columns[name].append(value)
            self.records.append(rows)
        for name in self.model_columns:
            values = new.model_values[name]
            self.model_rows[name].extend(values)
            for columns in self.series.values():
                own = columns[name]
                own.extend(self.model_rows[name][len(own):len(self.records)])
        self.events.extend(new.events)

    def column(self, brand: str, column: str) -> list:
        return self.series[brand][column]

    def frame(self, n_days: int | None = None) -> pd.DataFrame:
        n = self.n_days if n_days is None else n_days
        records = itertools.chain.from_iterable(self.records[:n])
        frame = pd.DataFrame.from_records(
            data=records, columns=["Step", "AgentID", *self.brand_columns],
            index=["Step", "AgentID"]).reset_index()
        frame = frame.rename(columns={"Step": "day"}).drop(columns=["AgentID"])
        frame["day"] = frame["day"].round().astype(int)
        market = pd.DataFrame({c: v[:n] for c, v in self.model_rows.items()})
        market = market.reset_index(drop=True)
        market["day"] = np.arange(len(market))
        return frame.merge(market, on="day", how="left")

    def event_frame(self, n_events: int | None = None) -> pd.DataFrame:
        chosen = self.events[:self.n_events if n_events is None else n_events]
        return pd.DataFrame([e.as_row() for e in chosen], columns=list(EventLog.COLUMNS))


def merged_timeline(timeline, live) -> tuple:
    """The scenario's timeline with the live interventions scheduled on the days they acted
    (a live intervention acted before the scenario's own entries of the same day)."""
    entries = [(item.day, 0, i, item.intervention) for i, item in enumerate(live)]
    entries += [(e.day, 1, i, e) for i, e in enumerate(timeline)]
    return tuple(entry[-1] for entry in sorted(entries, key=lambda e: e[:3]))


@dataclass(frozen=True)
class Original:
    """The run as it was before a branch: its history (``n_days`` days) and the day the
    what-if branched from it."""

    history: History
    n_days: int
    branched_at: int


def scenario_folders() -> list[Path]:
    """Where the path box may read scenario files: the scenario folders (the presets, the
    ``SOCBIZ_SCENARIOS`` folder, ./scenarios of the folder the server started in) and the
    folders given with ``socbiz dashboard --scenarios-dir``."""
    import os

    from simulation.scenario import scenario_dirs

    folders = [d.resolve() for d in scenario_dirs()]
    for text in os.environ.get(SCENARIOS_DIRS_ENV, "").split(os.pathsep):
        if text.strip() and Path(text).is_dir():
            folders.append(Path(text).resolve())
    return list(dict.fromkeys(folders))


def allowed_scenario_file(text: str) -> Path | None:
    """The file a typed path names, if the dashboard may read it (else None, for any reason).

    A relative path is looked up in each scenario folder; links are followed before the check,
    so a link inside a folder that points outside it is refused."""
    if "\0" in text or len(text) > 1000:
        return None
    typed = Path(text).expanduser()
    folders = scenario_folders()
    candidates = [typed] if typed.is_absolute() else [folder / typed for folder in folders]
    for candidate in candidates:
        try:
            file = candidate.resolve()
            if (file.suffix.lower() == ".toml" and any(file.is_relative_to(f) for f in folders)
                    and file.is_file() and file.stat().st_size <= MAX_UPLOAD_BYTES):
                read_toml(file)  # not TOML, or unreadable: refused like the rest
                return file
        except (OSError, ValueError, ScenarioError, RuntimeError):
            continue
    return None


def refused_path(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "…"
    return _("{path}: not a scenario file this dashboard can open (it opens .toml files in its "
             "scenario folders; socbiz dashboard --scenarios-dir adds a folder)").format(
                 path=repr(shown))


def too_large(name: str, size: int) -> str:
    return _("{name}: {size} KB is too large for a scenario file (at most {limit} KB)").format(
        name=name, size=format(round(size / 1024)), limit=MAX_UPLOAD_BYTES // 1024)


def _value_at(config: ScenarioConfig, key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return node


def check_seed(seed: Any) -> int:
    """A seed from a text box or a number: an integer ≥ 0, or a one-line ScenarioError."""
    text = str(seed).strip()
    try:
        value = int(text)
    except ValueError:
        raise ScenarioError(_("seed = {value} (must be an integer ≥ 0)").format(
            value=repr(text))) from None
    if value < 0:
        raise ScenarioError(_("seed = {value} (must be an integer ≥ 0)").format(value=value))
    return value


def whatif_note(session: Session) -> str:
    """The comment at the top of an exported what-if (in the language of whoever exports it)."""
    lines = [_("Exported from the socbiz dashboard on {when} (from {source}, seed {seed}, at "
               "day {day}).").format(when=f"{datetime.now():%Y-%m-%d %H:%M}",
                                     source=session.source, seed=session.seed, day=session.day)]
    if session.overrides:
        lines.append(_("Levers changed: {levers}.").format(levers=", ".join(
            f"{k} = {v}" for k, v in sorted(session.overrides.items()))))
    for item in session.live:
        lines.append(_("Day {day}: {text}").format(day=item.day, text=item.text))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Exports


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
