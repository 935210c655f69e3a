"""`opa test` passes, with tests, on govern's bundle and on `govern export rego` output.

The operator functions used to be named ``test_*``, which ``opa test`` ran (and failed) as
tests; the bundle now ships a real test module of its own (``govern_test/decision_test.rego``).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from govern.loading.catalog import Catalog
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
    assert len(results) >= 5
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


def _examples(directory: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    data = json.loads((directory / "data.json").read_text(encoding="utf-8"))
    return {(c["input"]["model"], c["input"]["task"], c["input"]["profile"]): c["expected"]
            for c in data["govern_test"]["examples"]["cases"]}


def test_the_examples_cover_the_catalog_with_the_known_answers(unpacked_bundle: Path,
                                                               catalog: Catalog) -> None:
    examples = _examples(unpacked_bundle / "bundle")
    assert len(examples) == len(catalog.models) * len(catalog.tasks) * len(catalog.profiles)
    glm = examples[("glm-5.2", "refactoring", "eu-regulated-enterprise")]
    assert glm == {"recommendation": "self-host",
                   "options": [["api", "Z.ai", "denied"], ["self-host", None, "allowed"]]}
    fable = examples[("claude-fable-5", "software-development", "eu-regulated-enterprise")]
    assert fable["recommendation"] == "disallow"
    assert {verdict for _, _, verdict in fable["options"]} == {"denied"}


def test_a_wrong_expectation_fails_opa_test_naming_the_case(opa_bin: Path, unpacked_bundle: Path,
                                                           tmp_path: Path) -> None:
    # The tests can fail: claim that GLM-5.2 goes to the API for refactoring under the EU profile.
    copy = tmp_path / "bundle"
    shutil.copytree(unpacked_bundle / "bundle", copy)
    data = json.loads((copy / "data.json").read_text(encoding="utf-8"))
    for case in data["govern_test"]["examples"]["cases"]:
        if (case["input"]["model"], case["input"]["task"]) == ("glm-5.2", "refactoring") and \
                case["input"]["profile"] == "eu-regulated-enterprise":
            case["expected"]["recommendation"] = "api"
    (copy / "data.json").write_text(json.dumps(data), encoding="utf-8")
    code, results = opa_test(opa_bin, str(copy))
    failed = {r["name"]: r for r in results if r.get("fail")}
    assert code != 0
    assert set(failed) == {"test_every_example_decides_as_the_native_engine"}
    printed = base64.b64decode(failed["test_every_example_decides_as_the_native_engine"]["output"])
    assert b'"model": "glm-5.2"' in printed and b'"task": "refactoring"' in printed
