"""Helpers to drive a real ``socbiz workshop`` server from Chromium (tests and benchmark).

No tests here: the browser test (tests/test_workshop_browser.py) and the benchmark
(benchmarks/bench_workshop.py) share these. Every non-local request is aborted and recorded.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 180_000  # generous: the machine running the suite may be busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_workshop(folder: Path, teams: int, round_days: int = 20, rounds: int = 3,
                   customers: int = 1500) -> Path:
    path = folder / "bench-workshop.toml"
    path.write_text(f'title = "Browser workshop"\nscenario = "baseline"\n'
                    f'template_brand = "acme"\nteams = {teams}\nround_days = {round_days}\n'
                    f"rounds = {rounds}\nseed = 3\ncustomers = {customers}\n"
                    "budget_per_round = 150000.0\n", encoding="utf-8")
    return path


class Server:
    """``socbiz workshop`` in a subprocess (it becomes the Solara server: one pid)."""

    def __init__(self, folder: Path, workshop: Path | None, port: int | None = None):
        self.folder = folder
        self.file = folder / "w.sqlite"
        self.port = port or free_port()
        self.workshop = workshop
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, resume: bool = False) -> None:
        socbiz = Path(sys.executable).parent / "socbiz"
        command = [str(socbiz) if socbiz.exists() else "socbiz", "workshop", "--port",
                   str(self.port)]
        command += ["--resume", str(self.file)] if resume else [str(self.workshop), "--file",
                                                                 str(self.file)]
        env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the fd
            self.process = subprocess.Popen(command, cwd=self.folder, stdout=log,
                                            stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + float(os.environ.get("SOCBIZ_SERVER_START_S", 400))
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=3) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("the workshop server did not start:\n"
                                   + self.log_path.read_text(errors="replace"))
            time.sleep(0.3)
        text = self.log_path.read_text(errors="replace")
        self.room = re.findall(r"room code ([A-Z0-9]+)", text)[-1]
        self.token = re.findall(r"console\?token=(\S+)", text)[-1]

    def kill(self) -> None:
        """SIGKILL: no cleanup, as in a crash or a pulled plug."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def memory_mib(self) -> float:
        """Resident memory of the server process."""
        try:
            text = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return float("nan")
        kib = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
        return kib / 1024


class Offline:
    """A browser context whose non-local requests are aborted and recorded."""

    def __init__(self, browser, locale: str = "en-US"):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1100},
                                           accept_downloads=True, locale=locale)
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if urlparse(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def page(self, url: str):
        page = self.context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        page.goto(url)
        return page


class Participant:
    """One team's browser: join, fill the decision form, submit, read the confirmation."""

    def __init__(self, browser, server: Server, name: str):
        self.offline = Offline(browser)
        self.server = server
        self.name = name
        self.page = None
        self.revision = 0

    def join(self) -> float:
        started = time.perf_counter()
        self.page = self.offline.page(f"{self.server.url}/?room={self.server.room}")
        self.page.get_by_label("Team name").fill(self.name)
        self.page.get_by_role("button", name="Join").click()
        self.page.get_by_text("Your decisions for this round").wait_for()
        self.token = re.search(r"team=([^&]+)", self.page.url).group(1)
        return time.perf_counter() - started

    def fill(self, label: str, value: float) -> None:
        box = self.page.get_by_label(re.compile("^" + re.escape(label)))
        box.fill(str(value))
        box.press("Enter")

    def submit(self, values: dict[str, float]) -> float:
        """Fill and submit; the round trip ends when the server's confirmation is shown."""
        for label, value in values.items():
            self.fill(label, value)
        self.revision += 1
        started = time.perf_counter()
        self.page.get_by_role("button", name="Submit decisions").click()
        self.page.get_by_text(f"revision {self.revision},").wait_for()
        return time.perf_counter() - started

    def reload(self) -> None:
        self.page.reload()
        self.page.get_by_text("Your decisions for this round").wait_for()

    def close(self) -> None:
        self.offline.context.close()


def posts_label() -> str:
    return "Posts per day"
