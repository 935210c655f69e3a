"""Cold start: what one `govern evaluate` costs next to the libraries it cannot do without.

    python -m benchmarks.bench_startup [--repeat 15] [--cards 1000]   # from the repo root

Measured side by side in one run, each in a fresh child process, the two commands alternating
so that a busy machine slows both alike; CPU time (user + system) of each child, median of
--repeat runs:

  (a) `python -m govern evaluate --model glm-5.2 --task refactoring` (bundled catalog);
  (b) the floor, `python -c "import pydantic, yaml, click"`; and the ratio (a)/(b);
  and, for context, the floor plus one pydantic model (pydantic's model machinery);
  (c) loading and validating --cards generated model cards (the bundled cards, renamed) from a
      temporary catalog through `govern.loading.catalog.load_catalog`, in a child that has
      already imported govern: wall and CPU time of the load alone, median of 5.

Goals (issue 10): (a) at most 150 ms CPU and at most 1.7x (b); (c) at most 0.5 s, judged on
CPU time (on a busy machine the wall time also counts the waits for a free core).
Not a test: the numbers depend on the machine. The interpreter running this script is the one
measured, so run it with the environment whose govern you mean. The children run byte-compiled
(.pyc files are written on the first run, even under PYTHONDONTWRITEBYTECODE), as pip installs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

EVALUATE = ["-m", "govern", "evaluate", "--model", "glm-5.2", "--task", "refactoring",
            "--as-of", "2026-11-23"]
FLOOR = ["-c", "import pydantic, yaml, click"]
ONE_MODEL = ["-c", "import pydantic, yaml, click\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)"]
"""The floor plus pydantic's model machinery, which any command built on pydantic records
pays before its first model: shown for context, not a goal."""
EVALUATE_GOAL_S, RATIO_GOAL, LOAD_GOAL_S = 0.150, 1.7, 0.5

LOAD_CHILD = """
import sys, time
from pathlib import Path
from govern.loading.catalog import load_catalog
root = Path(sys.argv[1])
wall, cpu = time.perf_counter(), time.process_time()
catalog = load_catalog([root])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert len(catalog.models) == int(sys.argv[2]), len(catalog.models)
print(wall, cpu)
"""


CHILD_ENV = {name: value for name, value in os.environ.items()
             if name != "PYTHONDONTWRITEBYTECODE"}
"""The children may write .pyc files, as an installed govern has them (pip compiles on
install): with PYTHONDONTWRITEBYTECODE set, every run would compile govern from source."""


def child_cpu_seconds(args: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """CPU time (user + system) of one child process running ``python args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False, env=CHILD_ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        sys.exit(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def generated_catalog(directory: Path, count: int) -> Path:
    """A catalog of ``count`` model cards: the bundled ones in turn, each under a new id."""
    from govern.loading.catalog import bundled_root

    templates = sorted((bundled_root() / "model_cards").glob("*.yaml"))
    cards = directory / "model_cards"
    cards.mkdir(parents=True)
    for index in range(count):
        template = templates[index % len(templates)]
        card_id = f"{template.stem}-{index:05d}"
        text = re.sub(r"(?m)^id: .*$", f"id: {card_id}", template.read_text(encoding="utf-8"),
                      count=1)
        (cards / f"{card_id}.yaml").write_text(text, encoding="utf-8")
    return directory


def load_times(root: Path, count: int, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``load_catalog`` over the generated catalog."""
    walls, cpus = [], []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", LOAD_CHILD, str(root), str(count)],
                              capture_output=True, text=True, check=False, env=CHILD_ENV)
        if done.returncode != 0:
            sys.exit(f"loading the generated catalog failed:\n{done.stderr}")
        wall, cpu = (float(part) for part in done.stdout.split())
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def verdict(met: bool) -> str:
    return "goal met" if met else "goal NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cards", type=int, default=1000)
    args = parser.parse_args()

    child_cpu_seconds(FLOOR)  # warm the file cache and write the .pyc files before measuring
    child_cpu_seconds(EVALUATE, ok=(0, 1))
    evaluate, floor, one_model = [], [], []
    for _ in range(args.repeat):
        floor.append(child_cpu_seconds(FLOOR))
        evaluate.append(child_cpu_seconds(EVALUATE, ok=(0, 1)))
        one_model.append(child_cpu_seconds(ONE_MODEL))
    evaluate_s, floor_s = statistics.median(evaluate), statistics.median(floor)
    one_model_s = statistics.median(one_model)
    ratio = evaluate_s / floor_s

    with tempfile.TemporaryDirectory(prefix="govern-bench-") as tmp:
        root = generated_catalog(Path(tmp), args.cards)
        load_wall, load_cpu = load_times(root, args.cards, repeat=5)

    print(f"python {sys.version.split()[0]} at {sys.executable}; median of {args.repeat} "
          "runs, CPU = user + system of the child")
    print(f"(a) govern evaluate (cold)               {evaluate_s * 1000:7.0f} ms CPU   "
          f"goal <= {EVALUATE_GOAL_S * 1000:.0f} ms: {verdict(evaluate_s <= EVALUATE_GOAL_S)}")
    print(f"(b) import pydantic, yaml, click (floor) {floor_s * 1000:7.0f} ms CPU")
    print(f"    ratio (a)/(b)                         {ratio:7.2f}x       "
          f"goal <= {RATIO_GOAL}x: {verdict(ratio <= RATIO_GOAL)}")
    print(f"    context: the floor + one pydantic model {one_model_s * 1000:7.0f} ms CPU   "
          f"{one_model_s / floor_s:.2f}x the floor")
    print(f"(c) load + validate {args.cards} model cards   {load_wall:7.3f} s wall, "
          f"{load_cpu:.3f} s CPU   goal <= {LOAD_GOAL_S} s CPU: "
          f"{verdict(load_cpu <= LOAD_GOAL_S)}")


if __name__ == "__main__":
    main()
