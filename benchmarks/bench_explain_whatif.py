"""Time `govern explain` for one decision and `govern what-if` on the bundled matrix.

    python -m benchmarks.bench_explain_whatif [--repeat 5]

From the repository root, with the Python whose govern you mean. Prints, CPU seconds (median
of --repeat runs, in process, catalog already loaded):

- explain: the bundled catalog's slowest single decision to explain (every model x task x
  profile is explained once to find it, and the total is printed too), and
  glm-5.2 / refactoring / eu-regulated-enterprise, the README's example;
- what-if: the Fable/Mythos scenario of docs/examples on the whole bundled matrix (every
  profile), and on the example manifest's uses;
- the same two commands cold, as a user runs them (`python -m govern ...`, CPU time of the
  child process, which includes starting Python and loading the catalog).

Goal: each under a second. Not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from govern.core import decide
from govern.explain import catalog_pools, explain_decision
from govern.loading.catalog import bundled_root, load_catalog
from govern.matrix.versions import catalog_version
from govern.whatif import what_if
from govern.whatif.scenario_file import read_scenario

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "fable-suspension"
AS_OF = dt.date(2026, 11, 23)


def cpu(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def child_cpu(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "govern", *args], cwd=REPO, check=False,
                       capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    catalog = load_catalog([bundled_root()])
    pools = catalog_pools(list(catalog.models.values()), list(catalog.tasks.values()),
                          list(catalog.profiles.values()), list(catalog.policies.values()))

    def explain(model: str, task: str, profile: str) -> Callable[[], object]:
        m, t, p = catalog.models[model], catalog.tasks[task], catalog.profiles[profile]
        decision = decide(m, t, p, catalog.policy_set, AS_OF)
        return lambda: explain_decision(decision, m, t, p, catalog.policy_set, AS_OF, [], pools)

    each = {(m, t, p): cpu(explain(m, t, p), 1) for p in catalog.profiles
            for m in catalog.models for t in catalog.tasks}
    slowest = max(each, key=lambda k: each[k])
    print(f"explain, all {len(each)} bundled decisions once: {sum(each.values()):.2f} s CPU")
    print(f"explain, slowest decision {'/'.join(slowest)}: "
          f"{cpu(explain(*slowest), repeat):.3f} s CPU (goal < 1 s)")
    print("explain, glm-5.2/refactoring/eu-regulated-enterprise: "
          f"{cpu(explain('glm-5.2', 'refactoring', 'eu-regulated-enterprise'), repeat):.3f} s CPU")

    scenario = read_scenario(EXAMPLE / "scenario.yaml").scenario
    version = catalog_version(catalog, "bundled")
    profiles = list(catalog.profiles)
    cells = len(profiles) * len(catalog.models) * len(catalog.tasks)
    seconds = cpu(lambda: what_if(version, scenario, profiles, AS_OF), repeat)
    print(f"what-if, Fable/Mythos scenario on the bundled matrix ({cells} cells): "
          f"{seconds:.3f} s CPU (goal < 1 s)")

    print("cold, as a user runs them (CPU of the child, Python start and catalog load included):")
    explain_args = ["explain", "--model", "glm-5.2", "--task", "refactoring",
                    "--as-of", "2026-11-23"]
    print(f"  govern {' '.join(explain_args)}: {child_cpu(explain_args, repeat):.3f} s")
    whatif_args = ["what-if", str(EXAMPLE / "scenario.yaml"), "--all-profiles",
                   "--as-of", "2026-11-23"]
    print(f"  govern what-if docs/examples/fable-suspension/scenario.yaml --all-profiles: "
          f"{child_cpu(whatif_args, repeat):.3f} s")
    manifest_args = ["what-if", str(EXAMPLE / "scenario.yaml"), "--manifest",
                     str(EXAMPLE / "govern.yaml"), "--as-of", "2026-06-12"]
    print(f"  govern what-if ... --manifest docs/examples/fable-suspension/govern.yaml: "
          f"{child_cpu(manifest_args, repeat):.3f} s")


if __name__ == "__main__":
    main()
