"""The two YAML composers (libyaml's C one, PyYAML's pure-Python one) read every text alike:
the same values, the same file:line:col, the same refusals. And no text, however deeply nested,
can crash the process: it is refused, naming the file."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govern.errors import InputError
from govern.loading import yaml_source
from govern.loading.yaml_composers import COMPOSERS, DEEPEST_COMPOSED, nesting_bound
from govern.loading.yaml_source import MAX_DEPTH
from tests.support import REPO

needs_libyaml = pytest.mark.skipif("libyaml" not in COMPOSERS,
                                   reason="PyYAML here is built without libyaml")

Outcome = tuple[object, ...]


def read_with(composer: str, text: str, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """What the loader makes of ``text`` with one composer: data and positions, or problems."""
    monkeypatch.setattr(yaml_source, "composer", composer)
    try:
        loaded = yaml_source.parse_yaml(text, "f.yaml")
    except InputError as e:
        return ("refused", [str(problem) for problem in e.problems])
    return ("read", loaded.data, loaded.positions, loaded.scalar_texts)


def read_with_both(text: str, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    python = read_with("python", text, monkeypatch)
    libyaml = read_with("libyaml", text, monkeypatch)
    assert libyaml == python, f"the composers disagree on {text!r}"
    return python


CATALOG_TEXTS = sorted(path.read_text(encoding="utf-8") for folder in
                       ("model_cards", "policies", "profiles", "tasks")
                       for path in (REPO / folder).glob("*.yaml"))
INSERTIONS = ["\t", "\ufeff", "?", "x?y", " ? ", ":", ": ", "- ", "-", "[", "]", "{", "}", ",",
              "#", " #", "&a ", "*a", "!!str ", "!e ", "'", '"', "\\", "|\n  ", ">-\n  ", "\n",
              "\n  ", "\n- ", "\r\n", "\x85", "\u2028", "\x07", "\x00", "---\n", "...\n", "%",
              "@", "`", "<<: ", "0x1F", "0700", "yes", "NO", "1_000", ".nan", "~", "é", "😀"]


def mutant(rng: random.Random) -> str:
    """A catalog file with one to three characters inserted, deleted or copied in."""
    text = rng.choice(CATALOG_TEXTS)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.6:
            text = text[:at] + rng.choice(INSERTIONS) + text[at:]
        elif roll < 0.8:
            text = text[:at] + text[at + rng.randint(1, 3):]
        else:
            start = rng.randrange(len(text) + 1)
            text = text[:at] + text[start:start + 20] + text[at:]
    return text


@needs_libyaml
def test_both_composers_read_catalog_mutants_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(10)
    outcomes = [read_with_both(mutant(rng), monkeypatch)[0] for _ in range(400)]
    assert 100 < outcomes.count("refused") < 300, "the mutants should try both outcomes"


@needs_libyaml
@pytest.mark.parametrize(("text", "outcome"), [
    ("a:\tb\n", "refused"),  # a tab as separating space: libyaml alone would accept it
    ("a: [US?, EU]\n", "refused"),  # '?' in a flow scalar: libyaml alone would read 'US?'
    ("a: {b?: c}\n", "refused"),
    ("title: \"West?\"\nregions: [eu-west, 'b?']\n", "read"),  # quoted: both read it
    ("a: b?c\n", "read"),  # block context: both read 'b?c'
    ("a: [b,\n  c]\nx: \ufeffy\nz: [\ufeff1, 2]\n", "read"),  # libyaml skips a BOM's column
])
def test_texts_libyaml_reads_differently_read_as_they_always_have(
        text: str, outcome: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_with_both(text, monkeypatch)[0] == outcome


def nested(style: str, depth: int) -> str:
    """A document whose innermost scalar sits inside ``depth`` collections."""
    if style == "flow":
        return "[" * depth + "x" + "]" * depth + "\n"
    if style == "block sequence":
        return "".join("  " * i + "-\n" for i in range(depth - 1)) + "  " * (depth - 1) + "- x\n"
    if style == "compact sequence":
        return "- " * depth + "x\n"
    if style == "block mapping":
        return "".join(" " * i + "k:\n" for i in range(depth - 1)) + " " * (depth - 1) + "k: x\n"
    raise AssertionError(style)


STYLES = ["flow", "block sequence", "compact sequence", "block mapping"]


@pytest.mark.parametrize("composer", sorted(COMPOSERS))
@pytest.mark.parametrize("style", STYLES)
def test_nesting_is_refused_at_the_same_depth_in_every_style(
        style: str, composer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_with(composer, nested(style, MAX_DEPTH), monkeypatch)[0] == "read"
    deep = read_with(composer, nested(style, MAX_DEPTH + 1), monkeypatch)
    assert deep[0] == "refused" and f"nested more than {MAX_DEPTH} levels" in str(deep[1])
    assert ": -:" not in str(deep[1]), "up to DEEPEST_COMPOSED, the line and key are named"
    too_deep = read_with(composer, nested(style, DEEPEST_COMPOSED + 1), monkeypatch)
    assert too_deep[0] == "refused" and len(too_deep[1]) == 1
    refusal = f": -: nested more than {MAX_DEPTH} levels deep (or too deep to read); refused"
    assert re.fullmatch(r"f\.yaml:\d+:\d+" + re.escape(refusal), str(too_deep[1][0])), \
        "too deep to compose, the line of the first level too deep is still named"


@needs_libyaml
@pytest.mark.parametrize("style", STYLES)
def test_both_composers_name_the_same_place_for_deep_nesting(
        style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for depth in (MAX_DEPTH + 1, DEEPEST_COMPOSED):
        read_with_both(nested(style, depth), monkeypatch)


def test_a_hundred_thousand_nested_brackets_are_bad_input_not_a_crash(tmp_path: Path) -> None:
    # libyaml's composer recursed in C on this until the process died (SIGSEGV); run govern in
    # its own process so that a crash fails this test instead of killing the test run.
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deep.yaml").write_text("[" * 100_000 + "\n")
    done = subprocess.run([sys.executable, "-m", "govern", "evaluate", "--catalog", str(tmp_path),
                           "--model", "glm-5.2", "--task", "refactoring", "--as-of", "2026-11-23"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "deep.yaml:1:129: -: nested more than 64 levels deep (or too deep to read)" \
        in done.stderr


def deepest_collection(text: str) -> int | None:
    """How deep collections nest in ``text``, from the parser's events; None when it does not
    parse."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return deepest


def nested_mix(rng: random.Random, depth: int, indent: int = 0) -> str:
    """A value nested ``depth`` collections deep in styles chosen at random: block mappings
    and sequences, sequences at their mapping's indentation, compact '- - ' and '- k: '
    forms, explicit '? ' keys, anchors and tags before a collection, flow collections, and
    quoted text and comments holding indicators."""
    pad = " " * indent
    if depth == 0:
        return rng.choice(["x", "'[- ? :'", '"{a: [b]}"', "x # - - [ {"])
    style = rng.choice(["mapping", "sequence", "indentless", "compact", "explicit", "flow",
                        "tagged"])
    if style == "flow":
        inner = flow_value(rng, depth)
        return f"{inner}"
    if style == "tagged":
        step = rng.randint(1, 3)
        return (f"{rng.choice(['&a', '!!seq'])}\n{pad}" + "-" + "\n" + pad + " " * step
                + "- " + nested_mix(rng, depth - 2, indent + step + 2)) if depth >= 2 \
            else nested_mix(rng, depth, indent)
    step = rng.randint(1, 3)
    if style == "mapping":
        return f"\n{pad}{' ' * step}k: " + nested_mix(rng, depth - 1, indent + step)
    if style == "sequence":
        return f"\n{pad}{' ' * step}- " + nested_mix(rng, depth - 1, indent + step + 2)
    if style == "indentless" and depth >= 2:
        return f"\n{pad}- k: " + nested_mix(rng, depth - 2, indent + 2)
    if style == "compact":
        return f"\n{pad}{' ' * step}- - " + nested_mix(rng, max(depth - 2, 0), indent + step + 4)
    return f"\n{pad}{' ' * step}? " + nested_mix(rng, depth - 1, indent + step + 2)


def flow_value(rng: random.Random, depth: int) -> str:
    if depth == 0:
        return rng.choice(["x", "'a: [b'"])
    open_, close = rng.choice([("[", "]"), ("{k: ", "}")])
    return open_ + flow_value(rng, depth - 1) + close


def test_the_nesting_bound_is_never_below_the_nesting() -> None:
    """``nesting_bound`` lets a text skip the parse that guards the composers: it must never
    count fewer levels than the parser finds, for texts nested in any mix of styles."""
    rng = random.Random(7)
    texts = [f"root: {nested_mix(rng, rng.randint(1, 60))}\n" for _ in range(1500)]
    texts += [mutant(rng) for _ in range(300)]
    texts += [nested(style, depth) for style in STYLES for depth in (1, 10, 70, 200)]
    # the tightest: a mapping and the sequence at its indentation on every second column
    texts += ["".join(f"{' ' * 2 * i}{'- ' if i else ''}k:\n" for i in range(levels))
              + " " * 2 * levels + "- x\n" for levels in (1, 5, 40)]
    parsed = 0
    for text in texts:
        deepest = deepest_collection(text)
        bound = nesting_bound(text)
        if deepest is None or bound is None:
            continue
        parsed += 1
        assert bound >= deepest, text
    assert parsed > 1000, "most generated texts parse"


def test_a_card_is_not_parsed_twice_to_learn_its_depth() -> None:
    for path in (REPO / "model_cards").glob("*.yaml"):
        bound = nesting_bound(path.read_text(encoding="utf-8"))
        assert bound is not None and bound <= DEEPEST_COMPOSED, path.name
