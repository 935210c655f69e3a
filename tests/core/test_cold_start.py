"""`govern evaluate` imports only what deciding and printing one decision needs: not the CI
features, the JSON Schemas, the Rego compiler, the OPA client or the check report formats.
(How fast it starts is measured by benchmarks/bench_startup.py, not here.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

NOT_FOR_EVALUATE = ("govern.check.manifest", "govern.check.report", "govern.policy_tests",
                    "govern.validate", "govern.schemas", "govern.rego", "govern.backends.opa",
                    "govern.formats.check_text", "govern.formats.check_json",
                    "govern.formats.sarif", "govern.formats.junit", "govern.formats.github",
                    "govern.formats.policy_tests", "license_expression", "huggingface_hub",
                    "govern.importing")
"""The CI features (govern check, govern test, govern validate) and what only they use.
``govern.check.options`` is plain data the CLI offers as choices; ``govern.decision_records``
is imported when ``--record`` asks for it. The SPDX parser is built only for a licence that is
not one plain id (``govern.licences``); the bundled cards have none."""

RUN_IN_PROCESS = """
import sys
from govern.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    print("exit", e.code)
print("modules", *sorted(sys.modules))
"""


def modules_loaded_by(*args: str) -> tuple[str, set[str]]:
    done = subprocess.run([sys.executable, "-c", RUN_IN_PROCESS, *args], capture_output=True,
                          text=True, timeout=120, check=True, cwd=REPO)
    output, _, modules = done.stdout.rpartition("\nmodules ")
    return output, set(modules.split())


@pytest.mark.parametrize("format_name", ["text", "json", "markdown"])
def test_evaluate_imports_no_ci_schema_rego_or_opa_module(format_name: str) -> None:
    output, modules = modules_loaded_by("evaluate", "--model", "glm-5.2", "--task",
                                        "refactoring", "--as-of", "2026-11-23",
                                        "--format", format_name)
    assert output.endswith("exit 0"), output
    assert "glm-5.2" in output, "the decision was printed"
    assert "govern.core" in modules and "govern.loading.catalog" in modules
    unneeded = sorted(m for m in modules if m.startswith(NOT_FOR_EVALUATE))
    assert unneeded == []


def test_the_commands_that_need_those_modules_still_load_them() -> None:
    _, modules = modules_loaded_by("schema", "policy")
    assert "govern.schemas" in modules
    _, modules = modules_loaded_by("check", "--manifest", "examples/ci/govern.yaml",
                                   "--as-of", "2026-11-23", "--format", "sarif")
    assert {"govern.check.report", "govern.formats.sarif"} <= modules


BUILT_VALIDATORS = """
import sys
from pydantic import BaseModel
from govern.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    print("exit", e.code)
pending, built = [BaseModel], []
while pending:
    model = pending.pop()
    pending.extend(model.__subclasses__())
    if model.__module__.startswith("govern") and model.__pydantic_complete__:
        built.append(model.__qualname__)
print("built", *sorted(built))
"""


@pytest.mark.parametrize("format_name", ["text", "json", "markdown"])
def test_evaluate_from_the_catalog_cache_builds_no_pydantic_validator(
        format_name: str, tmp_path: Path) -> None:
    """Building a pydantic validator or serialiser costs more than deciding: on a cache hit
    the records come validated, and what the core computes from them (lineages, costs,
    citations, the decision, its JSON) is constructed and read without one."""
    args = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", "2026-11-23",
            "--format", format_name]
    env = {**os.environ, "GOVERN_CACHE": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", BUILT_VALIDATORS, *args], capture_output=True,
                           text=True, timeout=120, check=True, cwd=REPO, env=env)
            for _ in range(2)]
    (miss, hit) = (run.stdout.rpartition("\nbuilt")[::2] for run in runs)
    assert miss[0].endswith("exit 0") and hit[0] == miss[0], "the same decision both times"
    assert "ModelCard" in miss[1].split(), "the first run validated the catalog's files"
    assert hit[1].split() == []
