"""The typed errors of govern; the CLI turns them into messages and exit codes in one place."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

SUGGESTION_CUTOFF = 0.6
"""How alike (difflib's ratio, 0 to 1) a known word must be to a mistyped one to be suggested."""


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word a mistyped one most likely meant, if any is alike enough."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=SUGGESTION_CUTOFF)
    return close[0] if close else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known word, or nothing: every 'did you mean'
    in govern's messages comes from here."""
    match = closest(word, known)
    return f" (did you mean '{match}'?)" if match is not None else ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located as precisely as the YAML allows."""

    file: str
    """Path of the file, as the user gave it or as it was found in the catalog."""
    line: int | None
    """1-based line of the offending key or value; None when the file itself is the problem."""
    column: int | None
    """1-based column."""
    key: str
    """Dotted path of the offending key inside the record (``rules[2].effect``), or ``-``."""
    message: str

    def __str__(self) -> str:
        if self.file == "-":
            return f"{self.key}: {self.message}"
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.key}: {self.message}"


class GovernError(Exception):
    """Base of every error govern raises on purpose."""


class InputError(GovernError):
    """Invalid input: a bad file, an unknown id, a bad flag. Exit code 2, never a decision."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(file="-", line=None, column=None, key="-", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(p) for p in problems))


class EngineError(GovernError):
    """The engine could not decide (e.g. an OPA server is unreachable). Exit code 3, never an allow."""
