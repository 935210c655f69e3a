"""The validated-catalog cache never changes an answer: a hit gives the very records a full
load gives, any changed byte misses, and a damaged cache file is ignored."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govern.core import decide, decision_document
from govern.loading import catalog as catalog_module
from govern.loading import yaml_source
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from govern.loading.catalog_cache import FORMAT, CatalogCache, catalog_key
from govern.record_data import record_data
from tests.support import AS_OF, REPO

EXAMPLE_TEAM = REPO / "examples" / "ci" / "catalog"
EVALUATE = ["-m", "govern", "evaluate", "--model", "glm-5.2", "--task", "refactoring",
            "--as-of", AS_OF.isoformat()]


def same_value(left: Any, right: Any, where: str) -> None:
    """Equal and of the same type all the way down, models' set fields included."""
    assert type(left) is type(right), where
    if isinstance(left, list):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            same_value(a, b, f"{where}[{index}]")
    elif isinstance(left, dict):
        assert list(left) == list(right), where
        for key in left:
            same_value(left[key], right[key], f"{where}.{key}")
    elif hasattr(left, "model_fields_set"):
        assert left.model_fields_set == right.model_fields_set, where
        same_value(dict(left.__dict__), dict(right.__dict__), where)
    else:
        assert left == right, where


def same_catalog(full: Catalog, kept: Catalog) -> None:
    for kind, records in full.records.items():
        assert list(records) == list(kept.records[kind]), kind
        for record_id, loaded in records.items():
            other = kept.records[kind][record_id]
            same_value(loaded.record, other.record, f"{kind}/{record_id}")
            assert loaded.source == other.source, f"{kind}/{record_id}"
    assert full.policy_set.digest == kept.policy_set.digest


@pytest.mark.parametrize("layers", [[], [EXAMPLE_TEAM]], ids=["bundled", "with-team"])
def test_a_hit_gives_the_records_a_full_load_gives_without_reading_yaml(
        layers: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = [bundled_root(), *layers]
    cache = CatalogCache(tmp_path / "cache")
    full = load_catalog(roots)
    load_catalog(roots, cache)  # a miss: loads in full and keeps it

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cache hit parsed or validated a file")

    monkeypatch.setattr(catalog_module, "read_record_file", no_reading)
    same_catalog(full, load_catalog(roots, cache))


def test_record_data_is_what_pydantic_dumps(catalog: Catalog) -> None:
    team = load_catalog([bundled_root(), EXAMPLE_TEAM])
    for loaded in [*catalog.records.values(), *team.records.values()]:
        for record in (r.record for r in loaded.values()):
            for mode in ("json", "python"):
                assert record_data(record, mode == "json") == record.model_dump(
                    mode=mode, by_alias=True), record.id


def test_decision_document_is_what_pydantic_dumps() -> None:
    """`--format json` and decision records read the decision's fields (no serialiser built):
    the same JSON as pydantic's dump, for every decision of the catalog with the example
    team's waivers (applied waivers, waiver uses, costs, citations), on two dates."""
    team = load_catalog([bundled_root(), EXAMPLE_TEAM])
    policies = team.policy_set
    waivers = list(team.waivers.values())
    assert waivers, "the example team's catalog has waivers to apply"
    kinds = set()
    for as_of in (dt.date(2026, 5, 1), AS_OF):
        for model, task, profile in itertools.product(team.models.values(), team.tasks.values(),
                                                      team.profiles.values()):
            decision = decide(model, task, profile, policies, as_of, waivers)
            document = decision_document(decision)
            assert document == decision.model_dump(mode="json"), (model.id, task.id)
            assert list(document) == list(decision.model_dump(mode="json"))
            kinds |= {type(f.waiver).__name__ for o in decision.options for f in o.findings}
    assert "AppliedWaiver" in kinds, "a waiver was applied in at least one decision"


def run(args: list[str], cache: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"GOVERN_CACHE": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120, check=False)


def test_a_changed_byte_in_a_card_gives_the_new_decision(tmp_path: Path) -> None:
    team = tmp_path / "team"
    (team / "model_cards").mkdir(parents=True)
    card = team / "model_cards" / "glm-5.2.yaml"
    shutil.copy(bundled_root() / "model_cards" / "glm-5.2.yaml", card)
    cache = tmp_path / "cache"
    args = [*EVALUATE, "--catalog", str(team)]
    before = run(args, cache, tmp_path)
    assert before.returncode == 0 and "recommendation: self-host" in before.stdout
    assert run(args, cache, tmp_path).stdout == before.stdout  # a hit, same answer
    assert len(list(cache.glob("*.catalog"))) == 1
    # 744 -> 7440 billion parameters: weights larger than the profile's memory, no self-hosting
    card.write_bytes(card.read_bytes().replace(b"total_billion: 744 ", b"total_billion: 7440 "))
    after = run(args, cache, tmp_path)
    uncached = run(["-m", "govern", "--no-cache", *EVALUATE[2:], "--catalog", str(team)],
                   cache, tmp_path)
    assert "recommendation: disallow" in after.stdout and after.returncode == 1
    assert (after.stdout, after.returncode) == (uncached.stdout, uncached.returncode)


def kept_file(tmp_path: Path) -> tuple[CatalogCache, list[Path], Path]:
    roots = [bundled_root()]
    cache = CatalogCache(tmp_path / "cache")
    load_catalog(roots, cache)
    (written,) = (tmp_path / "cache").glob("*.catalog")
    return cache, roots, written


DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "one byte flipped": lambda data: data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
    "another format": lambda data: data.replace(FORMAT, b"govern-catalog-cache/0\n", 1),
    "not marshal data, digest right": lambda data: (
        FORMAT + __import__("hashlib").sha256(b"junk").hexdigest().encode() + b"\njunk"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_file_is_ignored_and_rewritten(damage: str, tmp_path: Path) -> None:
    cache, roots, written = kept_file(tmp_path)
    good = written.read_bytes()
    written.write_bytes(DAMAGE[damage](good))
    key = catalog_key([(d, yaml_source.display_path(p), True, p.read_bytes())
                       for d, p in _files(roots)])
    assert cache.read(roots, key) is None
    same_catalog(load_catalog(roots), load_catalog(roots, cache))
    assert written.read_bytes() == good  # the full load wrote it back


def _files(roots: list[Path]) -> list[tuple[str, Path]]:
    return [file for layer in catalog_module._files_of(roots) for file in layer.files]


def test_the_key_changes_with_names_bytes_and_the_composer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [("tasks", "tasks/a.yaml", False, b"id: a\n")]
    key = catalog_key(files)
    assert catalog_key([("tasks", "tasks/b.yaml", False, b"id: a\n")]) != key
    assert catalog_key([("tasks", "tasks/a.yaml", False, b"id: b\n")]) != key
    assert catalog_key([("tasks", "tasks/a.yaml", True, b"id: a\n")]) != key
    monkeypatch.setattr(yaml_source, "composer", "python")
    assert catalog_key(files) != key


def test_concurrent_writers_and_readers_never_see_half_a_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    writers = [subprocess.Popen([sys.executable, *EVALUATE], env={
        "GOVERN_CACHE": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * 4, outputs
    assert len({out for out, _ in outputs}) == 1
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".catalog")] == []


def test_a_refused_catalog_is_never_kept(tmp_path: Path) -> None:
    team = tmp_path / "team"
    (team / "tasks").mkdir(parents=True)
    (team / "tasks" / "broken.yaml").write_text("id: broken\nname: [\n", encoding="utf-8")
    cache = tmp_path / "cache"
    for _ in range(2):
        done = run([*EVALUATE, "--catalog", str(team)], cache, tmp_path)
        assert done.returncode == 2 and "broken.yaml" in done.stderr
    assert not cache.exists() or list(cache.iterdir()) == []


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_the_cache_can_be_turned_off(how: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ["-m", "govern", "--no-cache", *EVALUATE[2:]] if how == "flag" else EVALUATE
    env = {"GOVERN_CACHE": "off" if how == "environment" else str(cache),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert not cache.exists()


def test_a_relative_cache_setting_is_refused(tmp_path: Path) -> None:
    done = run(EVALUATE, Path("relative/dir"), tmp_path)
    assert done.returncode == 2
    assert "GOVERN_CACHE" in done.stderr and "absolute" in done.stderr
