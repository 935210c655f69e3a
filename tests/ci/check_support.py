"""Helpers shared by the ``govern check`` tests: write a project into a temporary directory and
run the real CLI in it (so report paths are relative, as in CI)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import Result

AS_OF = "2026-11-23"

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


def stdout(result: Result) -> str:
    return result.stdout
