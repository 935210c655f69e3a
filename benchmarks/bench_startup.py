"""Cold start: what one `govern evaluate` costs next to the libraries it cannot do without.

    python -m benchmarks.bench_startup [--repeat 15] [--cards 1000] [--against REV]
    # from the repo root

Measured side by side in one run, each in a fresh child process, the commands alternating so
that a busy machine slows all alike; CPU time (user + system) of each child, median of
--repeat runs:

  (a) `python -m govern evaluate --model glm-5.2 --task refactoring` (bundled catalog), cold:
      `--no-cache`, every file composed and validated; and warm: the validated-catalog cache
      (see govern.loading.catalog_cache) holds the catalog, written by a run before;
  (b) the floor, `python -c "import pydantic, yaml, click"`, and the ratios (a)/(b);
      and, for context, the floor plus one pydantic model (pydantic's model machinery);
  (c) loading and validating --cards generated model cards (the bundled cards, renamed) from a
      temporary catalog through `govern.loading.catalog.load_catalog`, in a child that has
      already imported govern: CPU and wall time of the load alone, median of 5; cold (no
      cache) and warm (a cache hit).

Every figure of (a) and (b) is taken twice: as Python normally starts, and with `-S` (no
`site` module: no `.pth` start-up hooks, such as a sandbox's certifi one, which every Python
start pays; the same module search path is given through PYTHONPATH).

With ``--against REV`` (a git revision, e.g. ``main`` or ``HEAD~3``), the same run also compares
this working tree with REV's, each tree's own code (put first on PYTHONPATH) with its own catalog
cache, alternating: (a) cold and warm, and (c) cold, with the ratio this tree / REV. That is
how a change to start-up is judged: side by side, not against figures from another day.

Goals (issue 10): (a) at most 150 ms CPU and at most 1.7x (b); (c) at most 0.5 s, judged on
CPU time (on a busy machine the wall time also counts the waits for a free core).
Not a test: the numbers depend on the machine. The interpreter running this script is the one
measured, so run it with the environment whose govern you mean. The children run byte-compiled
(.pyc files are written on the first run, even under PYTHONDONTWRITEBYTECODE), as pip installs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

EVALUATE = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", "2026-11-23"]
COLD_EVALUATE = ["-m", "govern", "--no-cache", *EVALUATE]
WARM_EVALUATE = ["-m", "govern", *EVALUATE]
FLOOR = ["-c", "import pydantic, yaml, click"]
ONE_MODEL = ["-c", "import pydantic, yaml, click\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)"]
"""The floor plus pydantic's model machinery, which any command built on pydantic records
pays before its first model: shown for context, not a goal."""
EVALUATE_GOAL_S, RATIO_GOAL, LOAD_GOAL_S = 0.150, 1.7, 0.5
REPO = Path(__file__).resolve().parent.parent
CHILD_CWD = Path(tempfile.gettempdir())
"""Where the children start: outside the repository, because Python puts the working directory
first on the path of ``-m`` and ``-c``, and the repository's govern would shadow the one meant
(the installed one, or a compared revision's)."""

LOAD_CHILD = """
import sys, time
from pathlib import Path
from govern.loading.catalog import load_catalog
from govern.loading.catalog_cache import CatalogCache
root, count = Path(sys.argv[1]), int(sys.argv[2])
cache = CatalogCache(Path(sys.argv[3])) if len(sys.argv) > 3 else None
wall, cpu = time.perf_counter(), time.process_time()
catalog = load_catalog([root], cache)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert len(catalog.models) == count, len(catalog.models)
print(wall, cpu)
"""


def child_environment(cache: Path, site: bool) -> dict[str, str]:
    """The children's environment: the cache directory, .pyc files allowed (an installed
    govern has them: pip compiles on install), and without ``site`` the search path it adds."""
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    env["GOVERN_CACHE"] = str(cache)
    if not site:
        usual, bare = (search_path(flags) for flags in ([], ["-S"]))
        env["PYTHONPATH"] = os.pathsep.join(p for p in usual if p and p not in bare)
    return env


def tree_environment(cache: Path, tree: Path) -> dict[str, str]:
    """The children's environment for the govern of a source ``tree`` (first on the path)."""
    env = child_environment(cache, site=True)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tree), env.get("PYTHONPATH")) if p)
    return env


def exported_tree(revision: str, destination: Path) -> Path:
    """The repository's files at ``revision`` (``git archive``), written under ``destination``."""
    done = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", revision],
                          capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"git archive {revision} failed: {done.stderr.decode(errors='replace')}")
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(destination, filter="data")
    return destination


def imported_from(env: dict[str, str]) -> Path:
    """The directory ``import govern`` finds in a child with ``env``."""
    done = subprocess.run([sys.executable, "-c", "import govern; print(govern.__file__)"],
                          capture_output=True, text=True, check=True, env=env, cwd=CHILD_CWD)
    return Path(done.stdout.strip()).parent.parent


def search_path(flags: list[str]) -> list[str]:
    """The module search path of a child started with ``flags``."""
    done = subprocess.run([sys.executable, *flags, "-c",
                           "import sys, json; print(json.dumps(sys.path))"],
                          capture_output=True, text=True, check=True)
    found: list[str] = json.loads(done.stdout)
    return found


def child_cpu_seconds(args: list[str], env: dict[str, str], site: bool = True,
                      ok: tuple[int, ...] = (0,)) -> float:
    """CPU time (user + system) of one child process running ``python args``."""
    command = [sys.executable, *([] if site else ["-S"]), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=False, env=env, cwd=CHILD_CWD)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
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


def load_times(root: Path, count: int, repeat: int, env: dict[str, str],
               cache: Path | None) -> tuple[float, float]:
    """Median wall and CPU seconds of ``load_catalog`` over the generated catalog."""
    walls, cpus = [], []
    extra = [str(cache)] if cache is not None else []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", LOAD_CHILD, str(root), str(count), *extra],
                              capture_output=True, text=True, check=False, env=env,
                              cwd=CHILD_CWD)
        if done.returncode != 0:
            sys.exit(f"loading the generated catalog failed:\n{done.stderr}")
        wall, cpu = (float(part) for part in done.stdout.split())
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def verdict(met: bool) -> str:
    return "goal met" if met else "goal NOT met"


MEASURED = {"cold": COLD_EVALUATE, "warm": WARM_EVALUATE, "floor": FLOOR, "one model": ONE_MODEL}


Run = tuple[list[str], dict[str, str], bool]
"""A child to time: its arguments, its environment, and whether Python starts with ``site``."""


def alternating_medians(repeat: int, runs: dict[Any, Run]) -> dict[Any, float]:
    """Median CPU seconds of each run, all of them taking turns ``repeat`` times, after one
    run of each (the file cache, .pyc files and the catalog cache)."""
    for args, env, site in runs.values():
        child_cpu_seconds(args, env, site, ok=(0, 1))
    samples: dict[Any, list[float]] = {key: [] for key in runs}
    for _ in range(repeat):
        for key, (args, env, site) in runs.items():
            samples[key].append(child_cpu_seconds(args, env, site, ok=(0, 1)))
    return {key: statistics.median(values) for key, values in samples.items()}


def startup_medians(repeat: int, cache: Path) -> dict[tuple[str, bool], float]:
    """Median CPU seconds of each command of MEASURED, with and without ``site``."""
    envs = {site: child_environment(cache, site) for site in (True, False)}
    return alternating_medians(repeat, {(name, site): (args, env, site)
                                        for site, env in envs.items()
                                        for name, args in MEASURED.items()})


def compared_medians(repeat: int, trees: dict[str, Path], root: Path, count: int,
                     directory: Path) -> dict[tuple[str, str], float]:
    """Median CPU seconds per (tree, figure): cold and warm evaluate, the floor, and loading
    the generated catalog cold; the trees alternate in every round."""
    envs = {label: tree_environment(directory / f"cache-{index}", tree)
            for index, (label, tree) in enumerate(trees.items())}
    for label, tree in trees.items():
        found = imported_from(envs[label])
        if not found.is_relative_to(tree):
            sys.exit(f"{label}: govern is imported from {found}, not from {tree}")
    runs: dict[Any, Run] = {("", "floor"): (FLOOR, child_environment(directory / "cache-floor",
                                                                     site=True), True)}
    runs |= {(label, name): (args, env, True) for label, env in envs.items()
             for name, args in (("cold", COLD_EVALUATE), ("warm", WARM_EVALUATE))}
    medians = alternating_medians(repeat, runs)
    loads: dict[str, list[float]] = {label: [] for label in envs}
    for _ in range(max(repeat // 3, 1)):
        for label, env in envs.items():
            loads[label].append(load_times(root, count, 1, env, cache=None)[1])
    return medians | {(label, "load"): statistics.median(values)
                      for label, values in loads.items()}


def print_comparison(medians: dict[tuple[str, str], float], here: str, there: str,
                     count: int) -> None:
    floor = medians["", "floor"]
    print(f"-- this tree beside {there} (each its own code and catalog cache, alternating)")
    print(f"{'':40s} {'this tree':>16s} {there:>16s}  this / {there}")
    for name, label in (("cold", "(a) govern evaluate, cold (--no-cache)"),
                        ("warm", "(a) govern evaluate, warm catalog cache")):
        new, old = medians[here, name], medians[there, name]
        print(f"{label:40s} {new * 1000:6.0f} ms {new / floor:5.2f}x "
              f"{old * 1000:6.0f} ms {old / floor:5.2f}x  {new / old:5.2f}")
    new, old = medians[here, "load"], medians[there, "load"]
    print(f"{f'(c) load + validate {count} cards, cold':40s} {new:10.3f} s CPU "
          f"{old:10.3f} s CPU  {new / old:5.2f}")
    print(f"{'(b) floor':40s} {floor * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--against", metavar="REV",
                        help="also compare this working tree with the git revision REV")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="govern-bench-") as tmp:
        cache = Path(tmp) / "cache"
        medians = startup_medians(args.repeat, cache)
        root = generated_catalog(Path(tmp) / "catalog", args.cards)
        env = child_environment(cache, site=True)
        cold_wall, cold_cpu = load_times(root, args.cards, 5, env, cache=None)
        load_times(root, args.cards, 1, env, cache=cache)  # writes the cache
        warm_wall, warm_cpu = load_times(root, args.cards, 5, env, cache=cache)
        compared = None
        if args.against:
            there = exported_tree(args.against, Path(tmp) / "against")
            compared = compared_medians(args.repeat, {"here": REPO, args.against: there},
                                        root, args.cards, Path(tmp))

    print(f"python {sys.version.split()[0]} at {sys.executable}; median of {args.repeat} "
          "runs, CPU = user + system of the child")
    for site, how in ((True, "as Python starts"), (False, "with -S (no site, no .pth hooks)")):
        floor = medians["floor", site]
        print(f"-- {how}")
        for name, label in (("cold", "(a) govern evaluate, cold (--no-cache)"),
                            ("warm", "(a) govern evaluate, warm catalog cache")):
            cpu = medians[name, site]
            print(f"{label:43s} {cpu * 1000:5.0f} ms CPU  {cpu / floor:5.2f}x floor   "
                  f"goals <= {EVALUATE_GOAL_S * 1000:.0f} ms: {verdict(cpu <= EVALUATE_GOAL_S)}"
                  f", <= {RATIO_GOAL}x: {verdict(cpu / floor <= RATIO_GOAL)}")
        print(f"{'(b) import pydantic, yaml, click (floor)':43s} {floor * 1000:5.0f} ms CPU")
        one_model = medians["one model", site]
        print(f"{'    context: floor + one pydantic model':43s} {one_model * 1000:5.0f} ms CPU  "
              f"{one_model / floor:5.2f}x floor")
    for label, wall, cpu in (("cold (no cache)", cold_wall, cold_cpu),
                             ("warm (cache hit)", warm_wall, warm_cpu)):
        print(f"(c) load + validate {args.cards} model cards, {label:16s} {wall:6.3f} s wall, "
              f"{cpu:.3f} s CPU   goal <= {LOAD_GOAL_S} s CPU: {verdict(cpu <= LOAD_GOAL_S)}")
    if compared is not None:
        print_comparison(compared, "here", args.against, args.cards)


if __name__ == "__main__":
    main()
