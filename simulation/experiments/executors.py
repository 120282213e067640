"""The executor seam: where runs execute, behind one small ``concurrent.futures``-style interface.

An :class:`Executor` has ``submit(fn, *args) -> future``, ``wait_first(futures) -> (done,
pending)``, ``as_completed(futures)``, ``map(fn, items)``, ``slots`` (how many tasks run at once)
and ``shutdown``. Three implementations:

- :class:`SerialExecutor` (``--workers 0``): runs each task in the calling process at submit
  time. For debugging (breakpoints work) and for tests.
- :class:`LocalExecutor` (``--workers N``, default: the number of cores): a
  ``concurrent.futures.ProcessPoolExecutor`` whose processes are started with **spawn**. Spawn
  rather than fork: the driver has threads (tqdm's monitor, Arrow's pools, a Dask client) and
  forking a process with threads can deadlock on a lock held by a thread that does not exist in
  the child; spawn starts clean interpreters and behaves the same on Linux, macOS and Windows.
  Forkserver would also be safe; it saves the ~1 s per worker of importing the model, once per
  sweep, not per run, which is not worth a platform-dependent path. Workers ignore Ctrl-C (the
  driver stops them) and exit if the driver dies.
- :class:`DaskExecutor` (``--scheduler tcp://HOST:PORT``, or a ``distributed.Client`` given in
  Python): a Dask distributed cluster, whose futures API is ``concurrent.futures``-like
  (``client.submit``, ``distributed.wait``, ``distributed.as_completed``). Workers must be able
  to import ``simulation`` and see the results folder (a shared filesystem on a cluster); both
  are checked before the first run.

Any ``concurrent.futures.Executor`` can also be wrapped (:class:`FuturesExecutor`), e.g. a
``loky`` or ``mpi4py.futures`` pool. Results never depend on the executor: each run's output is
a function of its seed and values only.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..i18n import _, _l, format_number, ngettext


class ExecutorError(Exception):
    """An executor that cannot be used (one-line message)."""


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Executor:
    """The seam. Subclasses implement ``submit`` and may refine the rest."""

    description = "executor"
    slots = 1
    checks_shared_folder = False

    def submit(self, fn: Callable, /, *args: Any) -> Any:
        raise NotImplementedError

    def wait_first(self, futures: set) -> tuple[set, set]:
        """Block until at least one future is done; return (done, not done)."""
        done, pending = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return set(done), set(pending)

    def as_completed(self, futures: Iterable) -> Iterator:
        return cf.as_completed(list(futures))

    def map(self, fn: Callable, items: Iterable) -> list:
        """``[fn(x) for x in items]``, computed by the executor, results in order."""
        futures = [self.submit(fn, item) for item in items]
        return [f.result() for f in futures]

    def check_folder(self, out: str) -> None:
        """Raise ExecutorError if workers cannot write into ``out``."""

    def refresh_slots(self) -> int:
        return self.slots

    def shutdown(self, *, cancel: bool = False) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        self.shutdown(cancel=kind is not None)


class SerialExecutor(Executor):
    """Runs tasks in the calling process, one at a time, when they are submitted."""

    description = _l("in-process (serial)")
    slots = 1

    def submit(self, fn, /, *args):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except Exception as error:
            future.set_exception(error)
        return future


class FuturesExecutor(Executor):
    """Any ``concurrent.futures.Executor``."""

    def __init__(self, pool: cf.Executor, slots: int, description: str, own: bool = False):
        self.pool = pool
        self.slots = slots
        self.description = description
        self.own = own

    def submit(self, fn, /, *args):
        return self.pool.submit(fn, *args)

    def shutdown(self, *, cancel: bool = False) -> None:
        if self.own:
            self.pool.shutdown(wait=True, cancel_futures=cancel)


class LocalExecutor(FuturesExecutor):
    """A pool of ``workers`` processes on this machine (spawn start method)."""

    def __init__(self, workers: int | None = None):
        from .worker import init_local_worker

        workers = workers or default_workers()
        pool = cf.ProcessPoolExecutor(max_workers=workers,
                                      mp_context=multiprocessing.get_context("spawn"),
                                      initializer=init_local_worker)
        super().__init__(pool, workers, ngettext("{n} local worker process",
                                                 "{n} local worker processes", workers).format(
                                                     n=workers), own=True)

    def shutdown(self, *, cancel: bool = False) -> None:
        if not cancel:
            self.pool.shutdown(wait=True)
            return
        # Stop the runs in progress too (Ctrl-C): a killed run leaves only temporary files.
        terminate = getattr(self.pool, "terminate_workers", None)  # Python 3.14+
        if terminate is not None:
            terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)


class DaskExecutor(Executor):
    """A Dask distributed cluster: an address (``tcp://host:8786``) or a ``Client``."""

    checks_shared_folder = True

    def __init__(self, scheduler: Any, *, timeout: float = 10.0):
        try:
            import distributed
        except ImportError:
            raise ExecutorError(_("--scheduler needs Dask distributed: pip install "
                                  "'socbiz[experiments]'")) from None
        self._distributed = distributed
        if isinstance(scheduler, distributed.Client):
            self.client, self.own = scheduler, False
        else:
            address = str(scheduler)
            probe_scheduler(address)
            try:
                self.client = distributed.Client(address, timeout=timeout,
                                                 set_as_default=False)
            except (OSError, TimeoutError) as error:
                raise ExecutorError(_("--scheduler {address}: cannot connect to a Dask "
                                      "scheduler ({error_type}: {error})").format(
                                      address=address, error_type=type(error).__name__,
                                      error=error)) from None
            self.own = True
        self.address = self.client.scheduler.address
        self._completed = distributed.as_completed(loop=self.client.loop)
        self._slots_checked = 0.0
        self.slots = self.refresh_slots(force=True)

    @property
    def description(self) -> str:  # type: ignore[override]
        n = len(self.client.nthreads())
        return _("Dask cluster at {address} ({n} worker(s), {threads} thread(s))").format(
            address=self.address, n=n, threads=self.slots)

    def refresh_slots(self, force: bool = False) -> int:
        """Threads of the cluster now (workers may join or leave, e.g. with dask-jobqueue)."""
        now = time.monotonic()
        if force or now - self._slots_checked > 5.0:
            self._slots_checked = now
            self.slots = max(1, sum(self.client.nthreads().values()))
        return self.slots

    def submit(self, fn, /, *args):
        future = self.client.submit(fn, *args, pure=False)
        self._completed.add(future)
        return future

    def wait_first(self, futures: set) -> tuple[set, set]:
        # distributed.wait() needs a default client; an as_completed bound to this client's
        # loop does not, and is Dask's way of consuming a growing set of futures.
        done = {next(self._completed), *self._completed.next_batch(block=False)}
        return done & futures, set(futures) - done

    def as_completed(self, futures: Iterable) -> Iterator:
        return iter(self._distributed.as_completed(list(futures), loop=self.client.loop))

    def check_folder(self, out: str) -> None:
        """Every worker imports socbiz and sees the results folder."""
        if not self.client.nthreads():
            return  # no workers yet (an adaptive cluster): the first result is checked instead
        try:
            answers = self.client.run(worker_probe, out)
        except Exception as error:
            raise ExecutorError(_("--scheduler {address}: a worker cannot run socbiz "
                                  "({error_type}: {error}); install socbiz in the workers' "
                                  "environment").format(
                                  address=self.address, error_type=type(error).__name__,
                                  error=error)) from None
        from .. import __version__
        from .worker import code_fingerprint

        for worker, answer in sorted(answers.items()):
            if not answer["sees_out"]:
                raise ExecutorError(_("--scheduler {address}: worker {worker} on {host} cannot "
                                      "write into {out}; the results folder must be on a "
                                      "filesystem shared by the driver and every worker").format(
                                      address=self.address, worker=worker,
                                      host=answer['host'], out=out))
            if (answer["socbiz"], answer["code"]) != (__version__, code_fingerprint()):
                import sys

                print(_("socbiz: warning: worker {worker} runs socbiz {socbiz} (code {code}), "
                        "this driver {version} (code {code_fingerprint}): results may mix "
                        "model versions; restart the workers").format(
                        worker=worker, socbiz=answer['socbiz'], code=answer['code'],
                        version=__version__, code_fingerprint=code_fingerprint()),
                        file=sys.stderr)

    def shutdown(self, *, cancel: bool = False) -> None:
        if cancel:  # runs still queued or running on the cluster: stop them (Ctrl-C, errors)
            waiting = list(self._completed.futures)
            if waiting:
                self.client.cancel(waiting)
        if self.own:
            self.client.close()


def worker_probe(out: str) -> dict[str, Any]:
    """Run on each Dask worker before a sweep."""
    import socket

    from .. import __version__, runner  # noqa: F401 (the model loaded, then fingerprinted)
    from .worker import code_fingerprint

    return {"socbiz": __version__, "code": code_fingerprint(), "host": socket.gethostname(),
            "sees_out": os.path.isdir(out) and os.access(out, os.W_OK)}


def probe_scheduler(address: str, wait: float = 3.0) -> None:
    """Fail fast on a ``tcp://`` address that is not a Dask scheduler.

    A Dask listener writes its handshake as soon as a connection is accepted
    (``distributed.comm.core.Listener.on_connection``), so a port that accepts but stays silent
    for ``wait`` seconds (a web server, a database) is not one; without this check the client
    waits its whole connect timeout. Other schemes (tls://, inproc://, ucx://) are left to Dask.
    """
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return
    parts = urlsplit(address)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        return  # Dask names the malformed address in its own error
    try:
        with socket.create_connection((host, port), timeout=wait) as sock:
            sock.settimeout(wait)
            greeting = sock.recv(1)
    except TimeoutError:
        greeting = b""
    except OSError as error:
        raise ExecutorError(_("--scheduler {address}: cannot connect to a Dask scheduler "
                              "({error_type}: {error})").format(
                              address=address, error_type=type(error).__name__, error=error)) from None
    if not greeting:
        raise ExecutorError(_("--scheduler {address}: something listens there but it is not a "
                              "Dask scheduler (no Dask handshake within {wait} s)").format(
                              address=address, wait=format_number(wait)))


def make_executor(workers: int | None = None, scheduler: Any = None,
                  executor: Any = None) -> Executor:
    """The executor for ``--workers``/``--scheduler``, or a wrapper around one given in Python
    (an :class:`Executor`, a ``distributed.Client`` or a ``concurrent.futures.Executor``)."""
    if executor is not None:
        if isinstance(executor, Executor):
            return executor
        if type(executor).__module__.startswith("distributed"):
            return DaskExecutor(executor)
        if isinstance(executor, cf.Executor):
            slots = getattr(executor, "_max_workers", None) or default_workers()
            return FuturesExecutor(executor, slots, type(executor).__name__)
        raise TypeError(f"not an executor: {executor!r}")
    if scheduler:
        return DaskExecutor(scheduler)
    if workers == 0:
        return SerialExecutor()
    return LocalExecutor(workers)
