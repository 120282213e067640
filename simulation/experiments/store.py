"""The results folder of an experiment: partitioned Parquet written by the workers, resumable.

Layout of ``OUT``::

    experiment.json           the experiment as resolved, its hash, versions, every session's
                              timing and executor
    design.parquet            the plan: one row per run (run_id, point, replicate, seed, values)
    runs/part-<run_id>.parquet        one row per brand of the run: parameters, seed, status,
                                      error, outputs, wall time, host, pid
    timeseries/part-<run_id>.parquet  the run's daily series (run_id, day, brand, metrics...)
    events/part-<run_id>.parquet      the run's event log (run_id, day, brand, kind, cause, text)

Rules:
- One file per run and table, named by the run id, written by the worker that ran it: a
  temporary ``.part-<run_id>.parquet.<unique>.tmp`` renamed into place (atomic), the runs file
  last. A run is complete exactly when its runs file exists; a rerun of a run replaces its files,
  so nothing is ever duplicated. Readers ignore files starting with a dot.
- Flat files rather than ``run_id=<id>/`` directories: every file carries its run id as a column
  (self-describing if copied elsewhere), the id keeps its integer type (hive partition values are
  inferred), and ``pd.read_parquet(OUT / "timeseries")``, DuckDB or Dask read the folder as one
  table.
- Column types are fixed by the experiment (parameters by their declared type, outputs float64),
  so every partition of a table has the same schema.
- The driver holds a lock (``OUT/.lock``, ``flock``) while it writes there: two sweeps cannot
  write into the same folder, and the lock disappears with a killed process.
- Without ``--resume`` a non-empty folder is refused; with it, the folder must hold the same
  experiment (same hash), and only the runs without a runs file are run (plus, with
  ``--retry-failed``, those recorded as failed).
- A folder that cannot be written (a file, under a file, read-only, a disk without room for a
  rough estimate) is refused before any run. Once runs have started, a failed write of the
  driver's bookkeeping (``experiment.json``) is a warning, not a crash: the runs files are the
  record, and ``--resume`` finishes the sweep.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _

if TYPE_CHECKING:
    from .spec import Experiment
    from .worker import RunContext

TABLES = ("runs", "timeseries", "events")
PART = re.compile(r"^part-(\d+)\.parquet$")
FORMAT = "socbiz-experiment/1"


class StoreError(Exception):
    """A results folder that cannot be used as asked (one-line message)."""


def part_name(run_id: int) -> str:
    return f"part-{run_id:07d}.parquet"


def _arrow_type(dtype: str):
    import pyarrow as pa

    return {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
            "string": pa.string()}[dtype]


def runs_schema(context: RunContext):
    """The runs table's schema: the same for every partition of an experiment."""
    import pyarrow as pa

    return pa.schema(
        [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()),
         ("seed", pa.int64()), ("brand", pa.string()), ("status", pa.string())]
        + [(c, _arrow_type(d)) for c, d in zip(context.columns, context.dtypes, strict=True)]
        + [(c, pa.float64()) for o in context.outputs for c in o.columns]
        + [("error", pa.string()), ("days_simulated", pa.int64()), ("n_events", pa.int64()),
           ("wall_time_s", pa.float64()), ("started", pa.string()), ("host", pa.string()),
           ("pid", pa.int64()), ("traceback", pa.string())]
    )


def events_schema():
    import pyarrow as pa

    return pa.schema([("run_id", pa.int64()), ("day", pa.int64()), ("brand", pa.string()),
                      ("kind", pa.string()), ("cause", pa.string()), ("text", pa.string())])


class RunWriter:
    """Writes one run's partitions atomically (used on the workers)."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)

    def _write(self, table_name: str, run_id: int, table) -> None:
        import pyarrow.parquet as pq

        folder = self.out / table_name
        final = folder / part_name(run_id)
        tmp = folder / f".{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
        try:
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def write_timeseries(self, run_id: int, frame) -> None:
        import numpy as np
        import pyarrow as pa

        table = _normalise(pa.Table.from_pandas(frame, preserve_index=False))
        table = table.add_column(0, "run_id", pa.array(np.full(len(frame), run_id, np.int64)))
        self._write("timeseries", run_id, table)

    def write_events(self, run_id: int, frame) -> None:
        import pyarrow as pa

        schema = events_schema()
        columns = {"run_id": [run_id] * len(frame)}
        for name in schema.names[1:]:
            columns[name] = frame[name].tolist() if name in frame else [None] * len(frame)
        self._write("events", run_id, pa.table(columns, schema=schema))

    def write_runs(self, run_id: int, rows: list[dict[str, Any]], context: RunContext) -> None:
        import pyarrow as pa

        schema = runs_schema(context)
        table = pa.Table.from_pylist(rows, schema=schema)
        self._write("runs", run_id, table)

    def discard(self, run_id: int) -> None:
        for table_name in ("timeseries", "events"):
            with contextlib.suppress(FileNotFoundError):
                (self.out / table_name / part_name(run_id)).unlink()


def _normalise(table):
    """Fixed, plain column types (int64, float64, bool, string) whatever pandas produced."""
    import pyarrow as pa

    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_integer(t):
            t = pa.int64()
        elif pa.types.is_floating(t):
            t = pa.float64()
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
            t = pa.string()
        fields.append(pa.field(f.name, t))
    schema = pa.schema(fields)
    return table if table.schema.remove_metadata().equals(schema) else table.cast(schema)


# --------------------------------------------------------------------------------------------
# The driver's side


class ResultStore:
    """The driver's view of a results folder: create or resume it, know which runs are done."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self._lock = None

    # -- opening ----------------------------------------------------------------------------
    def open(self, experiment: Experiment, *, resume: bool) -> dict[str, Any] | None:
        """Prepare the folder for ``experiment``; return the existing experiment.json if any.

        Raises :class:`StoreError` for a non-empty folder without ``resume`` and for a folder
        holding another experiment.
        """
        out = self.out
        if out.exists() and not out.is_dir():
            raise StoreError(_("--out {out}: is a file, not a folder").format(out=out))
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(_("--out {out}: cannot be created: {strerror}").format(
                               out=out, strerror=error.strerror or error)
                             ) from None
        self.lock()  # first: a folder being written by another sweep is refused as such
        try:
            existing = self.check(experiment, resume=resume)
        except StoreError:
            self.close()
            raise
        kept = {"runs": True, "timeseries": experiment.timeseries, "events": experiment.events}
        try:
            for table_name in TABLES:
                if kept[table_name]:
                    (out / table_name).mkdir(exist_ok=True)
        except OSError as error:
            self.close()
            raise StoreError(_("--out {out}: cannot be written: {strerror}").format(
                               out=out, strerror=error.strerror or error)
                             ) from None
        self.remove_temporary_files()
        return existing

    def check(self, experiment: Experiment, *, resume: bool) -> dict[str, Any] | None:
        """Whether the folder can take ``experiment`` (StoreError if not), changing nothing."""
        out = self.out
        if out.exists() and not out.is_dir():
            raise StoreError(_("--out {out}: is a file, not a folder").format(out=out))
        from ..runner import OutputError, check_output_folder

        try:
            check_output_folder(out, estimate_bytes(experiment))
        except OutputError as error:
            raise StoreError(str(error)) from None
        existing = self.read_json()
        non_empty = out.is_dir() and any(
            p.name != ".lock" and not (p.name in TABLES and p.is_dir() and not any(p.iterdir()))
            for p in out.iterdir())
        if non_empty and not resume:
            what = (_("holds results of this experiment") if existing and
                    existing.get("experiment_hash") == experiment.hash else _("is not empty"))
            raise StoreError(_("--out {out}: folder {what} (add --resume to finish the runs "
                               "that are missing, or choose another folder)").format(
                               out=out, what=what))
        if non_empty and existing is None:
            raise StoreError(_("--out {out}: not a socbiz results folder (no experiment.json); "
                               "choose another folder").format(out=out))
        if existing is not None and existing.get("experiment_hash") != experiment.hash:
            theirs = existing.get("hash_parts", {})
            ours = experiment.hash_parts()
            changed = [k for k in sorted(set(theirs) | set(ours)) if theirs.get(k) != ours.get(k)]
            raise StoreError(
                _("--out {out}: holds another experiment (hash {experiment_hash}, this one is "
                  "{hash}; differs in: {changed}); resume with the same experiment file, or "
                  "choose another folder").format(
                  out=out, experiment_hash=existing.get('experiment_hash'),
                  hash=experiment.hash, changed=', '.join(changed) or 'format'))
        return existing

    def lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; a second sweep is the user's risk
            return
        try:
            handle = open(self.out / ".lock", "a+")  # noqa: SIM115 (held for the whole sweep)
        except OSError as error:
            raise StoreError(_("--out {out}: cannot be written: {strerror}").format(
                               out=self.out, strerror=error.strerror or error)
                             ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or _("another process")
            handle.close()
            raise StoreError(_("--out {out}: another sweep is writing there ({holder}); wait "
                               "for it or choose another folder").format(
                               out=self.out, holder=holder)) from None
        handle.seek(0)
        handle.truncate()
        import socket

        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        self._lock = handle

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def remove_temporary_files(self) -> None:
        for table_name in TABLES:
            if not (self.out / table_name).is_dir():
                continue
            for tmp in (self.out / table_name).glob(".part-*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()

    # -- what is done -----------------------------------------------------------------------
    def completed(self) -> set[int]:
        """Run ids with a runs file (ok or failed)."""
        folder = self.out / "runs"
        if not folder.is_dir():
            return set()
        return {int(m.group(1)) for name in os.listdir(folder) if (m := PART.match(name))}

    def damaged(self, run_ids: set[int]) -> set[int]:
        """Those of ``run_ids`` whose runs file cannot be read; their files are removed, so
        that they count as not run."""
        from .analysis import damaged_parts

        folder = self.out / "runs"
        bad = {int(PART.match(p.name).group(1))
               for p in damaged_parts(folder, [part_name(r) for r in sorted(run_ids)])}
        writer = RunWriter(str(self.out))
        for run_id in bad:
            (folder / part_name(run_id)).unlink()
            writer.discard(run_id)
        return bad

    def failed(self) -> set[int]:
        """Run ids recorded as failed."""
        import pyarrow.parquet as pq

        ids = set()
        for run_id in sorted(self.completed()):
            table = pq.read_table(self.out / "runs" / part_name(run_id), columns=["status"])
            if "failed" in table.column("status").to_pylist():
                ids.add(run_id)
        return ids

    def has_run(self, run_id: int) -> bool:
        return (self.out / "runs" / part_name(run_id)).is_file()

    # -- experiment.json and design.parquet ---------------------------------------------------
    def read_json(self) -> dict[str, Any] | None:
        path = self.out / "experiment.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise StoreError(_(
                "{path}: unreadable ({error})").format(path=path, error=error)) from None

    def write_json(self, data: dict[str, Any]) -> bool:
        """Write experiment.json atomically. If that fails (a full disk): the first write (no
        experiment.json yet, nothing run) raises StoreError; a later one keeps the previous
        file, prints a warning and returns False (the runs files are the record; --resume)."""
        path = self.out / "experiment.json"
        tmp = path.with_name(f".experiment.json.{uuid.uuid4().hex[:8]}.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
            os.replace(tmp, path)
            return True
        except OSError as error:
            with contextlib.suppress(OSError):
                tmp.unlink()
            why = error.strerror or str(error)
            if not path.is_file():
                raise StoreError(_("--out {out}: cannot write experiment.json: {why}").format(
                                   out=self.out, why=why)
                                 ) from None
            import sys

            print(_("socbiz: warning: could not update {path} ({why}); the runs already "
                    "written are kept: free some space and rerun with --resume").format(
                    path=path, why=why), file=sys.stderr)
            return False

    def write_design(self, experiment: Experiment, batch: int = 50_000) -> None:
        """The plan, one row per run, written in batches (flat memory for huge plans)."""
        import pyarrow as pa

        path = self.out / "design.parquet"
        if path.is_file():
            return
        schema = pa.schema(
            [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()),
             ("seed", pa.int64())]
            + [(c, _arrow_type(d)) for c, d in zip(experiment.design.columns,
                                                   experiment.design.dtypes, strict=True)])
        tmp = path.with_name(f".design.parquet.{uuid.uuid4().hex[:8]}.tmp")
        try:
            self._write_design_rows(experiment, tmp, schema, batch)
            os.replace(tmp, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StoreError(_("--out {out}: cannot write design.parquet: {strerror}").format(
                               out=self.out, strerror=error.strerror or error)) from None

    def _write_design_rows(self, experiment: Experiment, tmp: Path, schema, batch: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            rows: list[dict[str, Any]] = []
            for run in experiment.runs():
                rows.append({"run_id": run.run_id, "point": run.point,
                             "replicate": run.replicate, "seed": run.seed,
                             **dict(zip(experiment.design.columns, run.values, strict=True))})
                if len(rows) >= batch:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                    rows = []
            if rows or experiment.n_runs == 0:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def estimate_bytes(experiment: Experiment) -> int:
    """A rough estimate of a sweep's results: the runs table, plus the daily series and event
    logs if kept (see :func:`simulation.runner.estimate_output_bytes`), compressed about 4×."""
    days = experiment.scenario.horizon_days + 1
    brands = len(experiment.brands)
    per_run = brands * 2_000
    if experiment.timeseries:
        per_run += days * brands * 60 * 8 // 4
    if experiment.events:
        per_run += days * brands * 50 // 4
    return experiment.n_runs * per_run
