"""What ``govern check`` offers on the command line: the ``--fail-on`` levels and the default
manifest file.

Plain data, apart from the check itself (``govern.check.report``, ``.manifest``), so the CLI
can offer the choices and their help without importing the check's models when another command
runs.
"""

from __future__ import annotations

from typing import Literal

FailOn = Literal["deny", "warn", "low", "medium", "high", "critical"]
FAIL_ON_LEVELS: dict[str, str] = {
    "deny": "fail when the intended option is denied (any severity) or does not exist",
    "warn": "also fail when the intended option is allowed but carries a warn finding",
    "low": "fail only on a standing denial of severity low or above (same as deny)",
    "medium": "fail only on a standing denial of severity medium or above",
    "high": "fail only on a standing denial of severity high or above",
    "critical": "fail only on a standing denial of severity critical",
}
"""The ``--fail-on`` levels, with the line ``govern check --help`` and docs/ci.md show.
An intended deployment that does not exist for the model fails at every level: no waiver or
threshold can make an unobtainable model usable."""

MANIFEST_FILE = "govern.yaml"
"""Where ``govern check`` looks for the manifest when ``--manifest`` is not given."""
