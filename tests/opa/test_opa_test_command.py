"""`opa test` passes, with tests, on govern's bundle and on `govern export rego` output.

The operator functions used to be named ``test_*``, which ``opa test`` ran (and failed) as
tests; the bundle now ships a real test module of its own (``govern_test/decision_test.rego``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.loading.catalog import DEFAULT_PROFILE, Catalog
from govern.rego.bundle import EXAMPLES
from tests.support import RunLine, run_govern

TEST_PACKAGE = "data.govern_test.decision"


def opa_test(opa_bin: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    """Run the real ``opa test`` with JSON output: (exit code, one result per test)."""
    done = subprocess.run([str(opa_bin), "test", "--format", "json", *args], check=False,
                          capture_output=True, text=True, timeout=300)
    assert done.stdout.strip(), done.stderr  # a compile error prints no results
    return done.returncode, json.loads(done.stdout)


def assert_all_pass(code: int, results: list[dict[str, Any]]) -> None:
    failed = [r["name"] for r in results if r.get("fail") or r.get("error")]
    assert code == 0 and not failed, failed
    assert len(results) == EXAMPLES + 5
    # only the shipped test module runs as tests: no operator function is mistaken for one
    assert {r["package"] for r in results} == {TEST_PACKAGE}


@pytest.fixture(scope="module")
def unpacked_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``govern bundle build``'s bundle, as built and unpacked."""
    where = tmp_path_factory.mktemp("unpacked")
    result = run_govern(["bundle", "build", "-o", str(where / "bundle.tar.gz")])
    assert result.exit_code == 0, result.stderr
    with tarfile.open(where / "bundle.tar.gz") as tar:
        tar.extractall(where / "bundle", filter="data")
    return where


def test_opa_test_passes_on_the_unpacked_bundle(opa_bin: Path, unpacked_bundle: Path) -> None:
    assert_all_pass(*opa_test(opa_bin, str(unpacked_bundle / "bundle")))


def test_opa_test_passes_on_the_bundle_file(opa_bin: Path, unpacked_bundle: Path) -> None:
    assert_all_pass(*opa_test(opa_bin, "--bundle", str(unpacked_bundle / "bundle.tar.gz")))


def test_opa_test_passes_on_export_rego_output(opa_bin: Path, run_line: RunLine,
                                               tmp_path: Path) -> None:
    result = run_line(["export", "rego", str(tmp_path / "rego")])
    assert result.exit_code == 0, result.stderr
    assert_all_pass(*opa_test(opa_bin, str(tmp_path / "rego")))


def _cases(directory: Path) -> list[dict[str, Any]]:
    data = json.loads((directory / "data.json").read_text(encoding="utf-8"))
    return list(data["govern_test"]["examples"]["cases"])


def test_the_examples_are_native_decisions_covering_every_answer(unpacked_bundle: Path,
                                                                  catalog: Catalog) -> None:
    cases = _cases(unpacked_bundle / "bundle")
    # as many as it takes to cover every (deployment, verdict, rule, effect), at most EXAMPLES
    assert 0 < len(cases) <= EXAMPLES
    for case in cases:
        asked = case["input"]
        decision = NativeBackend().decide(
            [DecisionRequest(catalog.models[asked["model"]], catalog.tasks[asked["task"]],
                             catalog.profiles[asked["profile"]])],
            catalog.policy_set, dt.date.fromisoformat(asked["as_of"]),
            list(catalog.waivers.values()))[0]
        assert case["expected"] == {
            "recommendation": decision.recommendation,
            "options": [[o.deployment, o.provider, o.verdict] for o in decision.options]}
    assert {c["expected"]["recommendation"] for c in cases} == {"api", "self-host", "disallow"}
    assert cases[0]["input"]["profile"] == DEFAULT_PROFILE


def test_a_wrong_expectation_fails_opa_test_naming_the_case(opa_bin: Path, unpacked_bundle: Path,
                                                           tmp_path: Path) -> None:
    # The tests can fail: claim the opposite verdict for the first example's first option.
    copy = tmp_path / "bundle"
    shutil.copytree(unpacked_bundle / "bundle", copy)
    data = json.loads((copy / "data.json").read_text(encoding="utf-8"))
    first = data["govern_test"]["examples"]["cases"][0]
    option = first["expected"]["options"][0]
    option[2] = "allowed" if option[2] == "denied" else "denied"
    (copy / "data.json").write_text(json.dumps(data), encoding="utf-8")
    code, results = opa_test(opa_bin, str(copy))
    failed = {r["name"]: r for r in results if r.get("fail")}
    assert code != 0
    assert set(failed) == {"test_example_1", "test_a_batch_decides_as_one_request_at_a_time"}
    printed = base64.b64decode(failed["test_example_1"]["output"]).decode()
    assert f'"model": "{first["input"]["model"]}"' in printed
    assert f'"task": "{first["input"]["task"]}"' in printed
