"""The workshop file: an SQLite database holding everything needed to continue or replay.

Rules:
- Standard library ``sqlite3``, WAL journal, ``synchronous=FULL``: a submission is committed (one
  transaction) before the team's screen says "saved", so a server killed at any moment loses
  nothing that was confirmed.
- Tables: ``meta`` (workshop settings, the market scenario as JSON, seed, room code, facilitator
  token, state), ``teams``, ``decisions`` (one row per round and brand, the latest submission;
  ``carried`` marks a decision the server filled in for a silent team at simulation time),
  ``incidents``, ``rounds`` (status, summary, events, digest) and ``messages``.
- Everything is data (JSON text): nothing read from the file is ever executed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from ..i18n import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
    token TEXT PRIMARY KEY, name TEXT NOT NULL, brand TEXT NOT NULL,
    joined REAL NOT NULL, removed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS decisions (
    round INTEGER NOT NULL, brand TEXT NOT NULL, data TEXT NOT NULL,
    submitted REAL NOT NULL, revision INTEGER NOT NULL, carried INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round, brand));
CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT, round INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (
    round INTEGER PRIMARY KEY, status TEXT NOT NULL, summary TEXT, events TEXT,
    digest TEXT, simulated REAL);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, text TEXT NOT NULL);
"""


SQLITE_HEADER = b"SQLite format 3\x00"


def workshop_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a socbiz workshop file (None when it is one), found without
    writing to it: a file that is not an SQLite database, or a database without the
    workshop's settings, is left exactly as it was."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        return error.strerror or str(error)
    if header != SQLITE_HEADER:
        return _("not an SQLite database")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            keys = ({key for (key,) in db.execute("SELECT key FROM meta")}
                    if "meta" in tables else set())
        finally:
            db.close()
    except sqlite3.Error as error:
        return _("unreadable database ({error})").format(error=error)
    if not {"config", "scenario", "format"} <= keys:
        return _("no workshop settings in it")
    return None


class Store:
    """Thread-safe access to one workshop file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # --- transactions ----------------------------------------------------------------------
    def write(self, statements: list[tuple[str, tuple]]) -> None:
        """Run statements in one transaction."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self.db.execute(sql, args)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    # --- meta ------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.rows("SELECT key, value FROM meta")}

    @staticmethod
    def set_meta_sql(key: str, value: Any) -> tuple[str, tuple]:
        return ("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                "value = excluded.value", (key, json.dumps(value)))

    def set_meta(self, **values: Any) -> None:
        self.write([self.set_meta_sql(k, v) for k, v in values.items()])

    # --- teams -----------------------------------------------------------------------------
    def teams(self) -> list[dict[str, Any]]:
        return [dict(token=t, name=n, brand=b, joined=j, removed=bool(r)) for t, n, b, j, r in
                self.rows("SELECT token, name, brand, joined, removed FROM teams ORDER BY joined")]

    # --- decisions -------------------------------------------------------------------------
    def submit_sql(self, round_: int, brand: str, data: dict, carried: bool = False
                   ) -> tuple[str, tuple]:
        return ("INSERT INTO decisions(round, brand, data, submitted, revision, carried) "
                "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT(round, brand) DO UPDATE SET "
                "data = excluded.data, submitted = excluded.submitted, "
                "revision = decisions.revision + 1, carried = excluded.carried",
                (round_, brand, json.dumps(data, sort_keys=True), time.time(), int(carried)))

    def decisions(self, round_: int | None = None) -> dict[int, dict[str, dict[str, Any]]]:
        sql = "SELECT round, brand, data, revision, carried, submitted FROM decisions"
        args: tuple = ()
        if round_ is not None:
            sql += " WHERE round = ?"
            args = (round_,)
        out: dict[int, dict[str, dict[str, Any]]] = {}
        for r, brand, data, revision, carried, submitted in self.rows(sql, args):
            out.setdefault(r, {})[brand] = dict(data=json.loads(data), revision=revision,
                                                carried=bool(carried), submitted=submitted)
        return out

    # --- incidents, rounds, messages ---------------------------------------------------------
    def incidents(self, round_: int) -> list[dict[str, Any]]:
        return [json.loads(d) for (d,) in
                self.rows("SELECT data FROM incidents WHERE round = ? ORDER BY id", (round_,))]

    def all_incidents(self) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for r, d in self.rows("SELECT round, data FROM incidents ORDER BY id"):
            out.setdefault(r, []).append(json.loads(d))
        return out

    def rounds(self) -> dict[int, dict[str, Any]]:
        out = {}
        for r, status, summary, events, digest, simulated in self.rows(
                "SELECT round, status, summary, events, digest, simulated FROM rounds "
                "ORDER BY round"):
            out[r] = dict(status=status, summary=json.loads(summary) if summary else None,
                          events=json.loads(events) if events else [], digest=digest,
                          simulated=simulated)
        return out

    def messages(self) -> list[tuple[float, str]]:
        return self.rows("SELECT at, text FROM messages ORDER BY id")
