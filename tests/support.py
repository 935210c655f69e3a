"""What the tests share, imported one way everywhere: ``from tests.support import …``.

The fixed date every test decides as of, the repository root, running the real CLI,
writing a ``govern check`` project into a temporary directory (so report paths are
relative, as in CI), and building records in a test for calling the core directly.
Fixtures live in the conftest.py files; everything else a test imports is here.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

from govern.cli import main
from govern.core import PolicySet
from govern.records import ModelCard, Policy, Profile, Task, Waiver

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 23)
"""The date every test decides as of, so results do not change with the calendar."""

RunLine = Callable[..., Result]
"""The type of the ``run_line`` fixture: ``run_line(["evaluate", …], env=…)``."""


def run_govern(args: list[str], **kwargs: object) -> Result:
    """Run ``govern`` with a list of arguments, as a user would; stderr kept apart."""
    runner = CliRunner()
    return runner.invoke(main, args, catch_exceptions=False, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- govern check projects

PASSING = """\
    profile: eu-regulated-enterprise
    uses:
      - name: code-assistant
        model: glm-5.2
        tasks: [refactoring]
        deployment: self-host
    """

DENIED_API = """\
    uses:
      - name: code-assistant
        model: glm-5.2
        tasks: [refactoring]
        deployment: self-host
      - name: review-bot
        model: glm-5.2
        tasks: [refactoring]
        deployment: api
        provider: Z.ai
    """



CHEAP_OFFERING = """\
  - provider: Example Cloud
    host_jurisdiction: IN
    pricing:
      input_usd_per_mtok: 0.70
      output_usd_per_mtok: 2.20
"""
"""An API offering of GLM-5.2 at half Z.ai's prices, as a card's api_offerings item:
40000 x $0.7/M + 43000 x $2.2/M = $0.1226 per refactoring task (Z.ai: $0.2452)."""

def write(path: Path, text: str) -> Path:
    """Write dedented text, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def waiver(project: Path, waiver_id: str, rule: str, expires: str, **scope: str) -> Path:
    """A waiver file in the project's team catalog (``catalog/waivers``)."""
    scope_lines = "".join(f"\n  {k}: {v}" for k, v in scope.items())
    return write(project / "catalog" / "waivers" / f"{waiver_id}.yaml", f"""\
id: {waiver_id}
rule: {rule}
scope:{scope_lines or ' {}'}
owner: security@example.com
reason: pilot under contract, reviewed by legal
reference: SEC-{len(waiver_id)}
expires: {expires}
""")


# ---------------------------------------------------------------- records built in a test
# As the raw dicts a YAML file would hold, validated by the real models, so a test states only
# the facts it is about and the records are as valid as the catalog's.

SOURCES = [{"publication": "govern tests"}]


def model_card(api: dict[str, str | None], *, open_weights: bool | None = True) -> ModelCard:
    """Model ``m`` (vendor in US, MIT weights, 100B parameters and a small KV cache: about
    100 GB to self-host at FP8), offered by each provider in
    ``api`` from the given host jurisdiction (``None``: unpublished), serving from eu-west."""
    return ModelCard.model_validate({
        "id": "m", "name": "Model M", "vendor": {"name": "Vendor V", "jurisdiction": "US"},
        "license": "MIT", "open_weights": open_weights,
        "api_offerings": [{"provider": provider, "host_jurisdiction": host,
                           "regions": ["eu-west"], "data_terms": {"trains_on_customer_data": False}}
                          for provider, host in api.items()],
        "parameters": {"total_billion": 100},
        "kv_cache": {"values_per_token": 1000, "source": "govern tests"},
        "as_of": "2026-11-01", "sources": SOURCES})


def task(*data_classes: str) -> Task:
    """Task ``t``, lower risk, not business-critical, handling ``data_classes``."""
    return Task.model_validate({
        "id": "t", "name": "Task T", "description": "a task built in a test", "risk_tier": "lower",
        "data_classes": list(data_classes), "business_critical": False,
        "context_tokens": 1000})


def profile(hosts: dict[str, list[str]], *, preference: tuple[str, ...] = ("self-host", "api"),
            self_host_jurisdiction: str = "EU") -> Profile:
    """Profile ``p``: each listed data class may go to the given host jurisdictions."""
    return Profile.model_validate({
        "id": "p", "name": "Profile P", "description": "a profile built in a test",
        "home_jurisdiction": "EU",
        "data_classes": {dc: {"host_jurisdictions": js} for dc, js in hosts.items()},
        "trusted_vendor_jurisdictions": ["EU", "US"],
        "self_host": {"jurisdiction": self_host_jurisdiction, "regions": ["eu-west"],
                      "accelerator_memory_gb": 1280.0, "precision": "FP8"},
        "preference": list(preference)})


def rule(rule_id: str, *, effect: str = "deny", deployments: list[str] | None = None,
         when: dict[str, Any] | None = None) -> dict[str, Any]:
    """A rule as YAML holds it; without ``when`` it fires on every option it applies to."""
    raw: dict[str, Any] = {
        "id": rule_id, "description": f"{rule_id} (built in a test)", "effect": effect,
        "severity": "high", "message": f"{rule_id} fired",
        "rationale": {"text": "a rule built in a test", "source": "govern tests"}}
    if deployments is not None:
        raw["applies_to"] = {"deployments": deployments}
    if when is not None:
        raw["when"] = when
    return raw


def policy_set(*rules: dict[str, Any]) -> PolicySet:
    """One policy ``test`` holding ``rules``, compiled."""
    return PolicySet([Policy.model_validate({
        "id": "test", "title": "Rules built in a test", "description": "rules built in a test",
        "rules": list(rules)})])


def waiver_record(waiver_id: str, rule_id: str, expires: dt.date,
                  **scope: str) -> Waiver:
    """An approved waiver of ``rule_id`` within ``scope`` (absent keys match anything)."""
    return Waiver.model_validate({
        "id": waiver_id, "rule": rule_id, "scope": scope, "owner": "security@example.com",
        "reason": "built in a test", "reference": "TEST-1", "expires": expires.isoformat()})


# ---------------------------------------------------------------- real tools from npm

SARIF_MULTITOOL_VERSION = "5.7.0"
"""The pinned ``@microsoft/sarif-multitool`` the SARIF tests validate with."""
NPM_CACHE = Path.home() / ".cache" / "govern" / "npm"


class ToolMissing(Exception):
    """A real tool a test needs cannot be installed here; the message says how to get it."""


ToolT = TypeVar("ToolT")


def required_tool(what: str, find: Callable[[], ToolT],
                  missing: type[Exception] = ToolMissing) -> ToolT:
    """The real tool ``find`` returns (installing it when absent). Without it a test skips with
    the message saying how to get it; under ``CI=true`` it fails, so CI never passes by
    skipping."""
    try:
        return find()
    except missing as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no {what}: {e}", pytrace=False)
        pytest.skip(str(e))


def sarif_multitool() -> Path:
    """The SARIF multitool's own executable, installed from npm into ~/.cache/govern/npm once
    (a folder per version) and reused. The npm wrapper runs through a shell that splits
    arguments, so the tests call the platform binary it wraps."""
    import shutil
    import subprocess
    import sys

    prefix = NPM_CACHE / f"sarif-multitool-{SARIF_MULTITOOL_VERSION}"
    binary = prefix / "node_modules" / "@microsoft" / f"sarif-multitool-{sys.platform}" / \
        "Sarif.Multitool"
    if binary.is_file():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise ToolMissing("npm is not installed: install Node.js and npm to validate SARIF with "
                          "@microsoft/sarif-multitool")
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                           f"@microsoft/sarif-multitool@{SARIF_MULTITOOL_VERSION}"],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not binary.is_file():
        raise ToolMissing(f"npm install @microsoft/sarif-multitool@{SARIF_MULTITOOL_VERSION} "
                          f"failed: {done.stderr.strip()[-500:]}")
    return binary
