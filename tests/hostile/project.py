"""The project the hostile suite mutates: a copy of the bundled catalog, a waiver, a usage
manifest and the policy tests, laid out as a team would keep them.

    project/
      govern.yaml            the manifest (catalog: [catalog])
      catalog/               model_cards/ tasks/ profiles/ policies/ waivers/  (nothing else)
      policy_tests/          the bundled policy tests

Every record id matches a bundled one, so layered over the bundled catalog (as the CLI does)
this catalog replaces it record for record; in-process the suite loads it alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO

CATALOG_KINDS = ("model_cards", "tasks", "profiles", "policies")

WAIVER_FILE = "catalog/waivers/zai-refactoring-pilot.yaml"
WAIVER = """\
# Z.ai's API may receive refactoring work for the pilot: a live waiver, so the reference
# matrix has an option that is allowed only because of it (mutating it must never widen it).
id: zai-refactoring-pilot
rule: jurisdiction.data-class-not-permitted-at-host
scope:
  model: glm-5.2
  task: refactoring
  deployment: api
  provider: Z.ai
owner: platform-team@example.com
reason: pilot of the review bot on public repositories only
reference: SEC-1187
expires: 2027-03-31
"""

MANIFEST_FILE = "govern.yaml"
MANIFEST = """\
# Which models this project uses, for what, and how.
profile: eu-regulated-enterprise
catalog: [catalog]
uses:
  - name: code-assistant
    model: glm-5.2
    tasks: [refactoring, software-development]
    deployment: self-host
  - name: pr-review-bot
    model: glm-5.2
    tasks: [refactoring, knowledge-work]
    deployment: api
    provider: Z.ai
  - name: docs-search
    model: claude-opus-4.8
    tasks: [document-analysis, legal-decisions]
    deployment: api
    provider: Anthropic
"""


def build_project(root: Path) -> Path:
    """Write the project under ``root``; returns ``root``."""
    for kind in CATALOG_KINDS:
        shutil.copytree(REPO / kind, root / "catalog" / kind)
    (root / "catalog" / "waivers").mkdir()
    (root / WAIVER_FILE).write_text(WAIVER, encoding="utf-8")
    (root / MANIFEST_FILE).write_text(MANIFEST, encoding="utf-8")
    shutil.copytree(REPO / "policy_tests", root / "policy_tests")
    return root


def project_files(root: Path) -> list[str]:
    """Every YAML file of the project, relative to it, in a stable order."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))


def target_of(relative: str) -> str:
    """Which loader reads a project file: 'catalog', 'manifest' or 'policy_tests'."""
    if relative == MANIFEST_FILE:
        return "manifest"
    return "policy_tests" if relative.startswith("policy_tests/") else "catalog"
