"""The project the hostile suite mutates: a copy of the bundled catalog, a waiver, a team
policy with a number operand for every numeric operator, a usage manifest and the policy
tests, laid out as a team would keep them.

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

from tests.support import REPO

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

THRESHOLDS_FILE = "catalog/policies/team-thresholds.yaml"
THRESHOLDS = """\
# A team policy with one narrow deny rule per numeric operator, each firing on a few cells of
# the unmutated matrix (where the fact is known: unknown only warns, so the rest of the matrix
# stays as sensitive as before): a garbled operand that stops one firing is a silent allow.
id: team-thresholds
title: Team thresholds
description: Numeric limits the team sets on particular uses.
rules:
  - id: team.output-price-ceiling
    description: knowledge work may not use an API charging over 25 USD per million output tokens
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: knowledge-work}
        - {fact: option.pricing.output_usd_per_mtok, gt: 25}
    message: "{option.provider} charges {option.pricing.output_usd_per_mtok} USD per million"
    rationale: {text: budget, source: team decision}
  - id: team.long-context-review
    description: document analysis on a context window of a million tokens or more needs review
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: document-analysis}
        - {fact: model.context_window_tokens, gte: 1000000}
    message: "{model.name} reads {model.context_window_tokens} tokens at once"
    rationale: {text: review of long-context leakage, source: team decision}
  - id: team.too-cheap-to-trust
    description: internal automation may not use an API charging under 2 USD per million input
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: internal-automation}
        - {fact: option.pricing.input_usd_per_mtok, lt: 2}
    message: "{option.provider} charges {option.pricing.input_usd_per_mtok} USD per million"
    rationale: {text: pricing below cost, source: team decision}
  - id: team.input-price-ceiling
    description: internal automation may not use an API at 5 USD or less per million input tokens
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: internal-automation}
        - {fact: option.pricing.input_usd_per_mtok, lte: 5}
    message: "{option.provider} charges {option.pricing.input_usd_per_mtok} USD per million"
    rationale: {text: a pricing test, source: team decision}
  - id: team.size-under-review
    description: knowledge work may not use a 744-billion-parameter model until reviewed
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: knowledge-work}
        - {fact: model.parameters.total_billion, equals: 744}
    message: "{model.name} has {model.parameters.total_billion} billion parameters"
    rationale: {text: review pending, source: team decision}
  - id: team.unexpected-price
    description: document analysis may use only the input price the contract names (4.5 USD)
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: document-analysis}
        - {fact: option.pricing.input_usd_per_mtok, not_equals: 4.5}
    message: "{option.provider} charges {option.pricing.input_usd_per_mtok} USD per million"
    rationale: {text: contract terms, source: team decision}
  - id: team.active-size-listed
    description: software development may not use models of the listed active sizes
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: software-development}
        - {fact: model.parameters.active_billion, in: [40, 32.5]}
    message: "{model.name} has {model.parameters.active_billion} billion active parameters"
    rationale: {text: review pending, source: team decision}
  - id: team.output-price-unlisted
    description: software development may use only the output prices the contract lists
    effect: deny
    severity: low
    when_unknown: warn
    when:
      all:
        - {fact: task.id, equals: software-development}
        - {fact: option.pricing.output_usd_per_mtok, not_in: [10, 20.5]}
    message: "{option.provider} charges {option.pricing.output_usd_per_mtok} USD per million"
    rationale: {text: contract terms, source: team decision}
"""

OFFERED_CARD = "catalog/model_cards/glm-5.2.yaml"
OFFERED_AFTER = "    host_jurisdiction: CN     # inferred: see below\n"
OFFERED_WINDOW = """\
    offered_since: 2026-06-01   # a window around the suite's as-of date, so that its two
    offered_until: 2027-06-30   # dates are mutated like every other (no source gives them)
"""
"""Z.ai's offering of GLM-5.2 between two dates in the project's copy: no bundled card records
an offering's dates, and a mutated one must never let an offering through (a null would read
as 'always offered'; an end before the start is refused)."""

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
    offered = root / OFFERED_CARD
    card = offered.read_text(encoding="utf-8")
    assert card.count(OFFERED_AFTER) == 1, "the Z.ai offering the window is written into"
    offered.write_text(card.replace(OFFERED_AFTER, OFFERED_AFTER + OFFERED_WINDOW),
                       encoding="utf-8")
    (root / "catalog" / "waivers").mkdir()
    (root / WAIVER_FILE).write_text(WAIVER, encoding="utf-8")
    (root / THRESHOLDS_FILE).write_text(THRESHOLDS, encoding="utf-8")
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
