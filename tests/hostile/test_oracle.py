"""The oracle can fail: a looser decision, an accepted mutant that must be refused and a refusal
at the wrong line are each reported, so a green hostile run means something."""

from __future__ import annotations

from tests.hostile.mutants import FsOp, Mutant
from tests.hostile.oracle import World, judge

PROFILE = "catalog/profiles/us-enterprise.yaml"


def edited(world: World, old: str, new: str, expect: str, line: int | None = None) -> Mutant:
    text = (world.root / PROFILE).read_text(encoding="utf-8")
    assert text.count(old) == 1
    return Mutant(id=f"oracle-check:{new}", cls="oracle-check", file=PROFILE, what=new,
                  ops=(FsOp("write", PROFILE, text.replace(old, new).encode()),),
                  expect=expect, line=line)  # type: ignore[arg-type]


def test_a_looser_decision_is_a_silent_allow(hostile_world: World) -> None:
    # A valid edit, judged as if it had to be no looser than the original: 6400 GB fits GLM-5.2.
    verdict = judge(hostile_world, edited(hostile_world, "accelerator_memory_gb: 640",
                                          "accelerator_memory_gb: 6400", "no-looser"))
    assert verdict.failure == "SILENT ALLOW"
    assert "us-enterprise/glm-5.2/refactoring: self-host denied -> allowed" in verdict.loosened


def test_an_accepted_mutant_that_must_be_refused_fails(hostile_world: World) -> None:
    verdict = judge(hostile_world, edited(hostile_world, "name: US enterprise",
                                          "name: US enterprise (renamed)", "refuse"))
    assert verdict.outcome.status == "accepted"
    assert verdict.failure == "accepted, must be refused"


def test_a_refusal_that_does_not_name_the_line_fails(hostile_world: World) -> None:
    verdict = judge(hostile_world, edited(hostile_world, "accelerator_memory_gb: 640",
                                          "accelerator_memory_gb: 0x280", "refuse", line=2))
    assert verdict.outcome.status == "refused"
    assert verdict.failure is not None and "not line 2" in verdict.failure
