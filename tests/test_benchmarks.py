"""The benchmarks stay runnable: their synthetic catalog is one govern accepts, and every script
starts. (How fast govern is, they measure; no test times anything.)"""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.synthetic_catalog import synthetic_records
from govern.loading.catalog import bundled_root, load_catalog
from govern.matrix import decide_matrix
from tests.support import AS_OF, REPO

SCRIPTS = sorted(p.stem for p in (REPO / "benchmarks").glob("bench_*.py"))


def test_the_synthetic_catalog_validates_and_is_decided() -> None:
    models, tasks = synthetic_records(7, 60, 8)
    assert len({m.id for m in models}) == 60 and len(tasks) == 8
    bundled = load_catalog([bundled_root()])
    matrix = decide_matrix(list(bundled.profiles.values()), models, tasks, bundled.policy_set,
                           AS_OF)
    recommendations = {summary.recommendation for _, summary in matrix.cells()}
    assert len(list(matrix.cells())) == 60 * 8 * len(bundled.profiles)
    assert {"api", "self-host", "disallow"} <= recommendations  # it exercises every outcome


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_starts(script: str) -> None:
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{script}", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_the_startup_benchmark_compares_this_tree_with_a_revision() -> None:
    """``--against REV`` measures REV's own code beside this tree's, in the same run: each row
    gives both figures and their ratio."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_startup", "--repeat", "1",
                           "--cards", "20", "--against", "HEAD"], cwd=REPO, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    compared = done.stdout.split("-- this tree beside HEAD", 1)[1].splitlines()
    rows = {line[:40].strip(): line[40:].split() for line in compared[2:]}
    for row in ("(a) govern evaluate, cold (--no-cache)",
                "(a) govern evaluate, warm catalog cache", "(c) load + validate 20 cards, cold"):
        figures = rows[row]  # e.g. 466 ms 3.03x 409 ms 2.66x 1.14, or 0.059 s CPU 0.065 s CPU 0.91
        new, old, ratio = float(figures[0]), float(figures[3]), float(figures[-1])
        assert new > 0 and old > 0 and abs(ratio - new / old) < 0.05 * ratio, figures
