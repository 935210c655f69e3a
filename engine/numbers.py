"""The one number grammar govern reads, in YAML records and in settings alike.

YAML 1.1 (what PyYAML implements) reads far more than decimals as numbers: ``0700`` is octal
448, ``10:40`` is sexagesimal 640, ``0x1F``, ``1_000``, ``.nan`` and ``.inf`` are numbers too.
Each of these has turned a typo into a silent allow (a NaN operand makes a comparison false, an
infinite capacity fits every model), so govern accepts plain decimals only and refuses the rest
with a message that says what was read. Integers are also bounded to what a JSON number (and so
OPA) represents exactly, so both engines compare the same values.
"""

from __future__ import annotations

import math
import re

PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
"""An optional minus, an integer part without leading zeros, an optional fraction."""

MAX_EXACT_INTEGER = 2**53
"""Beyond this a JSON number (a double) no longer holds every integer exactly."""

NUMBER_GRAMMAR = "a plain decimal number such as 640, 0.5 or -3"


def number_problem(text: str) -> str | None:
    """Why ``text`` is not a number govern accepts, or None when it is one."""
    if not PLAIN_DECIMAL.fullmatch(text):
        return f"{text} is {_kind_of(text)}; govern takes only {NUMBER_GRAMMAR}"
    whole = int(text.split(".")[0])  # exact, unlike float() for long digit strings
    if abs(whole) >= MAX_EXACT_INTEGER or not math.isfinite(float(text)):
        shown = text if len(text) <= 24 else f"{text[:12]}...({len(text)} digits)"
        return (f"{shown} is out of range; govern takes numbers strictly between "
                f"-{MAX_EXACT_INTEGER} and {MAX_EXACT_INTEGER}")
    return None


def parse_number(text: str) -> int | float:
    """``text`` as an int (no fraction) or float; ValueError saying why when it is refused."""
    problem = number_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return float(text) if "." in text else int(text)


def _kind_of(text: str) -> str:
    """What kind of non-decimal number ``text`` is, said plainly."""
    bare = text.lstrip("+-")
    lowered = bare.lower()
    kinds = [
        (lowered in (".nan", "nan"), "not-a-number (NaN)"),
        (lowered in (".inf", "inf", "infinity"), "infinite"),
        (lowered.startswith("0x"), "a hexadecimal number"),
        (lowered.startswith("0b"), "a binary number"),
        (lowered.startswith("0o") or bool(re.fullmatch(r"0[0-7_]+", bare)),
         "an octal number in YAML 1.1"),
        (":" in bare, "a sexagesimal (base 60) number in YAML 1.1"),
        ("_" in bare, "written with digit separators ('_')"),
        (bool(re.fullmatch(r"0[0-9]+(\.[0-9]*)?", bare)), "written with a leading zero"),
        ("e" in lowered, "written with an exponent"),
        (text.startswith("+"), "written with a plus sign"),
        (bare.startswith(".") or bare.endswith("."), "missing a digit beside its decimal point"),
    ]
    return next((kind for matches, kind in kinds if matches), "not a plain decimal number")
