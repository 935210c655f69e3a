"""The matrix as a grid for a person at a terminal: one block per profile, models as rows,
tasks as columns under short headers, one word per cell, and a legend.

Colour only when asked (the CLI asks when stdout is a terminal, as ``evaluate`` does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from govern.formats.text import paint
from govern.matrix import CellSummary, MatrixResult

WORDS = {"api": "api", "self-host": "self", "disallow": "no"}
_COLOURS = {"api": "green", "self-host": "green", "disallow": "red"}
WAIVED_MARK = "*"


def short_headers(ids: Sequence[str], width: int = 7) -> list[str]:
    """Short unique column headers: the first three letters of each word of an id
    (``software-development`` → ``sof-dev``) or the start of a one-word id (``complia``), cut
    to ``width``; numbered if they collide."""
    short = [("-".join(word[:3] for word in i.split("-")) if "-" in i else i)[:width]
             for i in ids]
    if len(set(short)) == len(short):
        return short
    return [f"t{n}" for n in range(1, len(ids) + 1)]


def cell_word(summary: CellSummary, words: dict[str, str] = WORDS) -> str:
    """``api``, ``self`` or ``no``; ``*`` when the recommended option is allowed only
    through a waiver."""
    waived = any(o.recommended and o.waived for o in summary.options)
    return words[summary.recommendation] + (WAIVED_MARK if waived else "")


def _profile_block(result: MatrixResult, profile: str, headers: list[str], color: bool
                   ) -> Iterator[str]:
    names = result.axis.models
    label_width = max([len(m.id) for m in names] + [5])
    widths = [max(len(h), 4) for h in headers]
    yield f"profile {profile}\n"
    yield " " * label_width + "  " + "  ".join(
        h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip() + "\n"
    counts: Counter[str] = Counter()
    for model in names:
        row = result.rows[profile, model.id]
        cells = []
        for summary, width in zip(row, widths, strict=True):
            counts[summary.recommendation] += 1
            word = cell_word(summary)
            cells.append(paint(word, _COLOURS[summary.recommendation], color)
                         + " " * (width - len(word)))
        yield model.id.ljust(label_width) + "  " + "  ".join(cells).rstrip() + "\n"
    yield (f"{counts['api']} api, {counts['self-host']} self-host, "
           f"{counts['disallow']} disallow\n")


def render_matrix_text(result: MatrixResult, color: bool = False) -> Iterator[str]:
    tasks = [t.id for t in result.axis.tasks]
    headers = short_headers(tasks)
    yield (f"govern matrix: {len(result.axis.models)} models x {len(tasks)} tasks x "
           f"{len(result.axis.profiles)} profile(s), as of {result.as_of.isoformat()}\n")
    for profile in result.axis.profiles:
        yield "\n"
        yield from _profile_block(result, profile.id, headers, color)
    yield "\n"
    yield (f"legend: api = use a provider's API; self = self-host; no = disallow; "
           f"{WAIVED_MARK} = allowed only through a waiver\n")
    pairs = [f"{h} = {t}" for h, t in zip(headers, tasks, strict=True) if h != t]
    if pairs:
        yield "tasks: " + ", ".join(pairs) + "\n"
    yield (f"why a cell: govern evaluate --model M --task T --profile P --as-of "
           f"{result.as_of.isoformat()}\n")
    yield paint(f"policy set {result.policy_set_digest}", "dim", color) + "\n"
