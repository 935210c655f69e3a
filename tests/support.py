"""What the tests share, imported one way everywhere: ``from tests.support import …``.

The fixed date every test decides as of, the repository root, running the real CLI, and
writing a ``govern check`` project into a temporary directory (so report paths are relative,
as in CI). Fixtures live in the conftest.py files; everything else a test imports is here.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from govern.cli import main

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
