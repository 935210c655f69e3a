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
