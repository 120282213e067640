"""Instructions per simulated day of a scenario, counted by valgrind: a cost that load cannot move.

    python benchmarks/bench_instructions.py [--ref REV] [--scenario baseline] [--days 20 220]

CPU time on this shared virtual machine drifts by a factor of 1.5 to 6 from hour to hour and
from process to process (the same code, the same seed: 1.6 and 2.6 CPU ms a day in two
processes started one after the other), so a change of a few percent in the cost of a day
cannot be seen in it. The instructions a run executes do not drift: this benchmark counts them
with valgrind's cachegrind (``--cache-sim=no``), for a run to day A and a run to day B of the
same scenario and seed, and prints (B - A) / (B - A days): the instructions of one simulated
day, without the imports and the construction (the two runs share them to the instruction).
With ``--ref REV`` it counts the same for the commit REV (exported with ``git archive`` to a
temporary folder) and prints the ratio new / REV. Both processes of a tree run at once, one
per core; each tree first runs the scenario for a day so that numba's cached machine code is
on disk (otherwise a run would count the compilation).

Instructions are not time: a change that trades instructions for cache misses or the reverse
is mis-measured, and the targets are stated in a day's CPU time on a quiet machine
(``bench_split.py``, which says whether the time followed). The default scenario's day at
30,000 customers is bound by the fixed cost of Python and numpy calls on small arrays, where
instructions are the closer proxy. About 2 minutes per tree on this machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_market import ONE_CORE  # noqa: E402  (one core, no BLAS threads)

# One run of the scenario to day N, importing the model from the tree given; the seed is fixed
# so that both runs of a tree, and both trees, simulate the same days.
RUNNER = """
import sys
sys.path.insert(0, sys.argv[1])
from simulation.model import SocialBusinessModel
model = SocialBusinessModel(sys.argv[2], rng=0)
model.run(int(sys.argv[3]))
"""


def environment() -> dict[str, str]:
    # PYTHONHASHSEED: the same dict and set orders in every process.
    return {**os.environ, **ONE_CORE, "PYTHONHASHSEED": "0"}


def count(tree: Path, scenario: str, days: tuple[int, int], script: Path) -> tuple[int, int]:
    """Instructions of the runs to days[0] and to days[1] (two valgrind processes at once)."""
    # numba's cache first, so that no counted run compiles. Under valgrind: the processor it
    # emulates reports other features than the real one, and numba keeps machine code per
    # processor, so a cache filled outside valgrind is not used inside it.
    subprocess.run(["valgrind", "--tool=none", sys.executable, str(script), str(tree), scenario,
                    "1"], check=True, env=environment(), cwd=tree,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = [subprocess.Popen(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                              "--cachegrind-out-file=/dev/null", sys.executable, str(script),
                              str(tree), scenario, str(n)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=environment(), cwd=tree)
            for n in days]
    totals = []
    for run in runs:
        _, err = run.communicate()
        found = re.search(r"I\s+refs:\s+([\d,]+)", err)
        if run.returncode != 0 or not found:
            raise SystemExit(f"valgrind failed in {tree}: {err.strip().splitlines()[-1:]}")
        totals.append(int(found.group(1).replace(",", "")))
    return totals[0], totals[1]


def export(ref: str, folder: Path) -> Path:
    """The tree of commit ``ref`` (its tracked files) in ``folder``."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        print(f"bench_instructions.py: --ref {ref!r}: not a commit of this repository "
              "(give a hash, a branch or a tag)", file=sys.stderr)
        raise SystemExit(2)
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--days", type=int, nargs=2, default=[20, 220], metavar=("A", "B"),
                        help="the two horizons; their difference is the days measured")
    parser.add_argument("--ref", help="also count commit REV and print new / REV")
    args = parser.parse_args(argv)
    first, last = args.days
    if not 0 < first < last:
        parser.error(f"--days: {first} {last}: give two horizons A < B, A at least 1")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind); nothing measured")
        return 0
    with tempfile.TemporaryDirectory(prefix="socbiz-instructions-") as tmp:
        script = Path(tmp) / "run_days.py"
        script.write_text(RUNNER)
        trees = {"this tree": ROOT}
        if args.ref:
            trees[args.ref] = export(args.ref, Path(tmp) / "ref")
        per_day = {}
        for label, tree in trees.items():
            a, b = count(tree, args.scenario, (first, last), script)
            per_day[label] = (b - a) / (last - first)
            print(f"{label}: {per_day[label] / 1e6:.3f} M instructions per simulated day of "
                  f"{args.scenario} (days {first}-{last}; runs {a / 1e9:.3f} and "
                  f"{b / 1e9:.3f} G)", flush=True)
        if args.ref:
            ratio = per_day["this tree"] / per_day[args.ref]
            print(f"ratio this tree / {args.ref}: {ratio:.4f} ({(ratio - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
