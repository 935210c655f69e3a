"""Hostile input, generated: every mutant of the bundled catalog, its manifest and its policy
tests is refused naming the file, or decides no more permissively than its reference.

Run more with ``GOVERN_HOSTILE_MUTANTS=5000 python -m pytest tests/hostile``; the summary
line at the end of the run counts mutants, refusals and silent allows per class.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.mutants import CLASS_WEIGHTS, Mutant, every_mutant_at
from tests.hostile.oracle import AS_OF, Verdict, World, judge
from tests.hostile.project import project_files
from tests.hostile.summary import SUMMARY
from tests.support import RunLine

CLASSES = ["extra-files", *CLASS_WEIGHTS]


def _report(failures: list[Verdict], limit: int = 4) -> str:
    """Failures grouped by what went wrong, a few examples each, in words."""
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in failures:
        assert verdict.failure is not None
        groups[verdict.failure.split(":")[0][:70]].append(verdict)
    lines = []
    for reason, verdicts in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{len(verdicts)} x {reason}")
        for v in verdicts[:limit]:
            said = "; ".join(str(p) for p in v.outcome.problems[:2]) or v.outcome.error
            lines.append(f"    {v.mutant.id}  ({v.mutant.what[:90]})")
            for detail in (v.failure if v.failure != reason else "", *v.loosened[:2], said[:240]):
                if detail:
                    lines.append(f"      {detail}")
    return "\n".join(lines)


@dataclass(frozen=True)
class KnownGap:
    """A failure the suite found that the engine does not fix yet. Its mutants are reported as
    an expected failure (xfail) naming the gap; the day none of them fails any more, the test
    fails asking for the entry to be removed, so a gap cannot stay listed once fixed."""

    cls: str
    applies: Callable[[Mutant], bool]
    what: str


KNOWN_GAPS: list[KnownGap] = []


@pytest.mark.parametrize("cls", CLASSES)
def test_every_mutant_is_refused_naming_the_file_or_never_looser(
        cls: str, hostile_world: World, hostile_mutants: list[Mutant]) -> None:
    mutants = [m for m in hostile_mutants if m.cls == cls]
    assert mutants, f"the generator made no mutant of class {cls}"
    verdicts = [judge(hostile_world, m) for m in mutants]
    for verdict in verdicts:
        SUMMARY.record(verdict)
    gaps = [g for g in KNOWN_GAPS if g.cls == cls]
    failures = [v for v in verdicts if v.failure is not None
                and not any(g.applies(v.mutant) for g in gaps)]
    silent = sum(bool(v.loosened) for v in verdicts)
    if failures:
        pytest.fail(f"{len(failures)} of {len(mutants)} {cls} mutants fail ({silent} silent "
                    f"allows):\n{_report(failures)}", pytrace=False)
    known = []
    for gap in gaps:
        concerned = [v for v in verdicts if gap.applies(v.mutant)]
        failing = [v for v in concerned if v.failure is not None]
        if concerned and not failing:
            pytest.fail(f"known gap fixed, remove it from KNOWN_GAPS: {gap.what}", pytrace=False)
        if failing:
            known.append(f"{len(failing)} x {gap.what}, e.g. {failing[0].mutant.id}")
    if known:
        pytest.xfail("known gaps: " + "; ".join(known))


def test_every_mutant_of_an_offering_window_is_refused_or_never_looser(
        hostile_root: Path, hostile_world: World) -> None:
    """The project's one offering with dates (no bundled card has them): every mutant there,
    not a sample. A null is refused (it would read as 'always offered'), so is an end before
    the start, at its key."""
    texts = {f: (hostile_root / f).read_text(encoding="utf-8")
             for f in project_files(hostile_root)}
    mutants = every_mutant_at(texts, {"offered_since", "offered_until"})
    assert {"nulls", "deleted", "dated-facts", "wrong-types"} <= {m.cls for m in mutants}
    failures = [v for v in (judge(hostile_world, m) for m in mutants) if v.failure is not None]
    assert not failures, _report(failures)


CLI_SAMPLE = 20


def cli_sample(mutants: list[Mutant]) -> list[Mutant]:
    """20 mutants that must be refused, taken in turn from each class (deterministic). The
    deep-nesting attacks are left to their own example, run in a fresh process: refusing them
    takes seconds, and how deep Python may recurse belongs to that process."""
    by_class: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        if m.expect == "refuse" and ":deep-" not in m.id:
            by_class[m.cls].append(m)
    picked: list[Mutant] = []
    while len(picked) < CLI_SAMPLE and any(by_class.values()):
        for cls in sorted(by_class):
            if by_class[cls] and len(picked) < CLI_SAMPLE:
                picked.append(by_class[cls].pop(0))
    return picked


def _cli_runs(mutant: Mutant, root: Path) -> list[list[str]]:
    as_of = ["--as-of", AS_OF.isoformat()]
    catalog = str(root / "catalog")
    if mutant.target == "manifest":
        return [["check", "--manifest", str(root / "govern.yaml"), *as_of]]
    if mutant.target == "policy_tests":
        return [["test", str(root / "policy_tests"), "--catalog", catalog, *as_of]]
    return [["validate", "--catalog", catalog],
            ["evaluate", "--catalog", catalog, "--model", "glm-5.2", "--task", "refactoring",
             *as_of]]


def test_a_sample_of_refused_mutants_through_the_real_cli_exits_2_naming_file_and_line(
        hostile_world: World, hostile_mutants: list[Mutant], run_line: RunLine) -> None:
    problems = []
    sample = cli_sample(hostile_mutants)
    assert len({m.cls for m in sample}) >= 8, "the sample must span the classes"
    for mutant in sample:
        with hostile_world.applied(mutant.ops):
            for args in _cli_runs(mutant, hostile_world.root):
                result = run_line(args)
                said = result.stdout + result.stderr
                where = mutant.file + (f":{mutant.line}:" if mutant.line else "")
                if result.exit_code != 2 or where not in said:
                    problems.append(f"govern {args[0]} with {mutant.id} ({mutant.what[:60]}): "
                                    f"exit {result.exit_code}, {where!r} "
                                    f"{'named' if where in said else 'not named'}; "
                                    f"{said.strip()[:300]}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
