"""The hostile mutants: one edit each to the YAML source (or the files) of a copy of the bundled
catalog, its manifest and its policy tests, class by class, with what each must lead to.

Why a seeded fuzzer and not hypothesis. Every mutant is already minimal (one splice in one
file), so hypothesis's shrinking has nothing to do, and its per-example machinery (database,
health checks, deadlines) would spend the time budget of 500 full catalog loads. What the suite
needs instead is *coverage by construction*: every number form, every boolean word, every file
kind and as many keys as the budget allows. So the generator enumerates the whole space (site x
variant, per class), orders it with a fixed seed so that the first mutants of each class already
cover every variant and every file kind (``covering_order``), and takes the first N. The same
seed and N give the same mutants on every machine; ``GOVERN_HOSTILE_MUTANTS`` raises N and
``GOVERN_HOSTILE_SEED`` explores other orders. A mutant's id names it fully, so a failure is
reproduced by its id alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal

import yaml

from tests.hostile.project import target_of
from tests.hostile.yaml_sites import (
    Entry,
    Mapping,
    Sites,
    Value,
    YamlPath,
    add_key,
    delete_entry,
    find_sites,
    replace_value,
    resolved_tag,
    splice,
)

Expect = Literal["refuse", "same", "no-looser"]
"""refuse: must be refused naming the file. same: refused, or accepted and deciding exactly as
the reference. no-looser: refused, or accepted and no cell more permissive than the reference."""


@dataclass(frozen=True)
class FsOp:
    """One change to the project: write a file, make a directory or a symlink."""

    kind: Literal["write", "mkdir", "symlink"]
    path: str
    """Relative to the project root."""
    data: bytes = b""
    target: str = ""
    """For symlinks, the link's target as written (relative to the link's folder)."""


@dataclass(frozen=True)
class Mutant:
    id: str
    """class:file:key:variant, unique and stable."""
    cls: str
    file: str
    """The file the mutant changes, or the offending path for extra files (project-relative)."""
    what: str
    """The mutation in words, e.g. ``self_host.accelerator_memory_gb: 1280 -> 0x500``."""
    ops: tuple[FsOp, ...]
    expect: Expect
    reference: Mutant | None = None
    """What an accepted mutant is judged against; None: the unmutated project."""
    reference_refused: Literal["original", "refuse"] = "original"
    """If the reference itself is refused: judge against the original, or demand refusal."""
    line: int | None = None
    """The line a refusal must point at, when the mutation has one."""
    key: str | None = None
    """The key path (``rules[0].when``) a refusal should name."""

    @property
    def target(self) -> str:
        """Which loader reads the file: 'catalog', 'manifest' or 'policy_tests'."""
        return target_of(self.file)


def format_path(path: YamlPath) -> str:
    """Same shape as govern's messages: ``rules[2].effect``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


# ---------------------------------------------------------------- the variants


def _number_forms(value: Value) -> list[tuple[str, str]]:
    """(name, text) of every non-plain way to write this number, or to misread it."""
    number = yaml.safe_load(value.text)
    whole = int(number) if float(number).is_integer() else None
    magnitude = abs(whole) if whole else 1280
    forms = [
        ("octal", f"0{oct(magnitude)[2:]}"),
        ("leading-zero", f"0{value.text.lstrip('+-')}"),
        ("octal-0700", "0700"),
        ("hex", hex(magnitude)),
        ("hex-upper", "0x" + format(magnitude, "X")),
        ("binary", bin(magnitude)),
        ("sexagesimal", f"{magnitude // 60}:{magnitude % 60:02d}" if magnitude >= 60 else "10:40"),
        ("sexagesimal-float", "10:40.5"),
        ("underscores", f"{str(magnitude)[0]}_{str(magnitude)[1:] or '000'}"),
        (".nan", ".nan"), (".NaN", ".NaN"), (".NAN", ".NAN"),
        (".inf", ".inf"), ("-.inf", "-.inf"), ("+.inf", "+.inf"), (".Inf", ".Inf"),
        ("exponent-signed", f"{float(magnitude):.2e}"),
        ("exponent-1.0e+3", "1.0e+3"),
        ("exponent-unsigned", "1e3"),
        ("plus-sign", f"+{value.text.lstrip('+')}"),
        ("leading-dot", ".5"),
        ("trailing-dot", f"{magnitude}."),
        ("huge-digits", "9" * 400),
        ("huge-float", "1" + "0" * 400 + ".5"),
        ("2**53+1", str(2**53 + 1)),
        ("-(2**53+1)", str(-(2**53 + 1))),
        ("2**53", str(2**53)),
    ]
    return [(name, text) for name, text in forms if text != value.text]


_MISREAD_AS_NUMBER = ["0x1F", "0700", "10:40", ".nan", ".inf", "-.inf", "1_000", "0b1",
                      "1.0e+3", "+12", "1.", str(2**53 + 1)]
"""Text YAML 1.1 reads as a number, to put where a string, date or boolean is expected."""

_TRUE_WORDS = ["yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE", "y", "Y"]
_FALSE_WORDS = ["no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE", "n", "N"]
_BOOLEAN_WORDS = [w for w in _TRUE_WORDS + _FALSE_WORDS if resolved_tag(w) == "bool"]
"""The words YAML 1.1 (PyYAML) reads as booleans; y/n are strings to PyYAML."""

_NULL_FORMS = ["null", "~", "", "Null", "NULL"]

_HAZARDOUS_NULL_KEYS = {"when", "applies_to", "residency_regions", "scope",
                        "max_cost_per_task_usd", "kv_cache_precision", "accelerator",
                        "offered_since", "offered_until"}
"""Keys whose *absence* means 'always', 'everything' or 'no requirement': a null there (what an
editor's completion leaves) would silently widen or narrow a rule, so it must be refused."""


def _parent_key(path: YamlPath) -> str | None:
    strings = [p for p in path[:-1] if isinstance(p, str)]
    return strings[-1] if strings else None


def hazardous_null(file: str, path: YamlPath) -> bool:
    last, parent = path[-1], _parent_key(path)
    # 'scope' is a waiver's (in waivers/ or inline in a policy test); a card's
    # revocation.scope is a plain fact, null there is unknown.
    in_waiver = file.startswith("catalog/waivers/") or "waivers" in path
    if last == "scope" or parent == "scope":
        return in_waiver
    return (last in _HAZARDOUS_NULL_KEYS or parent == "applies_to"
            or (last == "provider" and parent == "uses"))


def widening_when_absent(file: str, path: YamlPath) -> bool:
    """Keys the records document as widening when absent: deleting one is a policy edit
    (an absent residency is no requirement, an absent waiver scope key matches anything, a
    manifest entry without provider passes on any offering, a manifest without ``catalog``
    uses no team catalog), not a fact becoming unknown."""
    last, parent = path[-1], _parent_key(path)
    in_manifest = file == "govern.yaml"
    # A card's revocation events and dated values are its facts' history: without them the
    # card's undated value holds (docs/writing-policies.md), an edit of the facts, not unknown.
    history = file.startswith("catalog/model_cards/") and last in ("events", "dated_values")
    return (history or last in ("residency_regions", "scope", "max_cost_per_task_usd",
                                    "kv_cache_precision") or parent == "scope"
            or (in_manifest and (path == ("catalog",) or (last == "provider"
                                                          and parent == "uses"))))


# ---------------------------------------------------------------- building mutants


@dataclass
class FileSites:
    file: str
    text: str
    sites: Sites

    @property
    def is_card(self) -> bool:
        return self.file.startswith("catalog/model_cards/")


def _write(file: str, text: str) -> tuple[FsOp, ...]:
    return (FsOp("write", file, text.encode("utf-8")),)


def _deletion(fs: FileSites, entry: Entry) -> Mutant:
    key = format_path(entry.path)
    ops = _write(fs.file, delete_entry(fs.text, entry))
    widening = widening_when_absent(fs.file, entry.path)
    # A deleted fact is unknown, and unknown never passes: no looser than the original. A key
    # documented as widening when absent is a policy edit: its own reference (loads, no crash).
    own = Mutant(id=f"reference:deleted:{fs.file}:{key}", cls="reference", file=fs.file,
                 what="(reference)", expect="no-looser", ops=ops)
    return Mutant(id=f"deleted:{fs.file}:{key}", cls="deleted", file=fs.file,
                  what=f"{key} deleted" + (" (documented as widening when absent)"
                                           if widening else ""),
                  ops=ops, expect="no-looser", reference=own if widening else None, key=key)


def _unknown_reference(fs: FileSites, entry: Entry | None) -> Mutant | None:
    """The decision with the mutated fact unknown: for a card fact, the card without it.

    For other records (policies, profiles, tasks, waivers, manifests) there is no 'unknown':
    a garbled rule or profile must never decide more loosely than the original, so the
    reference is the original project (None)."""
    if entry is None or not fs.is_card:
        return None
    return Mutant(id=f"reference:deleted:{fs.file}:{format_path(entry.path)}", cls="reference",
                  file=fs.file, what="(reference)", expect="no-looser",
                  ops=_write(fs.file, delete_entry(fs.text, entry)))


def _entry_of(fs: FileSites, value: Value) -> Entry | None:
    """The mapping entry whose value is (or, for a list item, contains) this value."""
    best = None
    for entry in fs.sites.entries:
        if value.path[:len(entry.path)] == entry.path and (
                best is None or len(entry.path) > len(best.path)):
            best = entry
    return best


def _replace_scalar(fs: FileSites, value: Value, new: str) -> str:
    return splice(fs.text, value.start, value.end, new)


def _scalar_mutant(fs: FileSites, value: Value, cls: str, variant: str, new: str,
                   expect: Expect, reference: Mutant | None = None) -> Mutant:
    key = format_path(value.path)
    entry = _entry_of(fs, value)
    return Mutant(
        id=f"{cls}:{fs.file}:{key}:{variant}", cls=cls, file=fs.file,
        what=f"{key}: {value.text} -> {new}", ops=_write(fs.file, _replace_scalar(fs, value, new)),
        expect=expect,
        reference=reference if expect == "same" else _unknown_reference(fs, entry),
        line=value.line, key=key)


@dataclass(frozen=True)
class Candidate:
    """One (site, variant) of a class, built into a mutant only when it is picked."""

    stratum: str
    """The file kind (model_cards, policies, manifest, ...): sampling rotates over strata."""
    site: str
    variant: str
    build: Callable[[], Mutant] = field(compare=False)


def _stratum(file: str) -> str:
    parts = file.split("/")
    return parts[1] if parts[0] == "catalog" else parts[0].removesuffix(".yaml")


def number_candidates(fs: FileSites) -> Iterator[Candidate]:
    """Every number of every record, in every form govern must refuse."""
    for value in fs.sites.scalars:
        if value.one_line_scalar and value.plain and value.tag in ("int", "float"):
            for name, text in _number_forms(value):
                yield Candidate(_stratum(fs.file), f"{fs.file}:{value.path}", name,
                                partial(_scalar_mutant, fs, value, "numbers", name, text,
                                        "refuse"))


def number_for_text_candidates(fs: FileSites) -> Iterator[Candidate]:
    """Text YAML 1.1 reads as a number where a string, a date or a boolean is expected."""
    for value in fs.sites.scalars:
        if value.one_line_scalar and value.tag in ("str", "timestamp", "bool"):
            for text in _MISREAD_AS_NUMBER:
                yield Candidate(_stratum(fs.file), f"{fs.file}:{value.path}", text,
                                partial(_scalar_mutant, fs, value, "numbers-for-text", text,
                                        text, "refuse"))


def _same_value_forms(value: Value) -> list[str]:
    number = yaml.safe_load(value.text)
    forms = [value.text + ".0"] if isinstance(number, int) else [value.text + "0"]
    if number == 0:
        forms += ["-0", "0.0", "-0.0"]
    return list(dict.fromkeys(forms))


def plain_number_candidates(fs: FileSites) -> Iterator[Candidate]:
    for value in fs.sites.scalars:
        if value.one_line_scalar and value.plain and value.tag in ("int", "float"):
            for text in _same_value_forms(value):
                yield Candidate(_stratum(fs.file), f"{fs.file}:{value.path}", text,
                                partial(_scalar_mutant, fs, value, "numbers-plain", text, text,
                                        "same"))


def boolean_for_text_candidates(fs: FileSites) -> Iterator[Candidate]:
    """A boolean word where text or a number is expected. The YAML 1.1 words (``NO``, ``on``)
    must be refused wherever they stand; ``true``/``false`` are booleans in every YAML, so
    where a field takes a boolean among other types (a dispute's claim) they may be accepted,
    but never to decide more loosely."""
    for value in fs.sites.scalars:
        if value.one_line_scalar and value.tag in ("str", "timestamp", "int", "float"):
            for word in _BOOLEAN_WORDS:
                expect: Expect = "no-looser" if word.lower() in ("true", "false") else "refuse"
                yield Candidate(_stratum(fs.file), f"{fs.file}:{value.path}", word,
                                partial(_scalar_mutant, fs, value, "booleans-for-text", word,
                                        word, expect))


def boolean_word_candidates(fs: FileSites) -> Iterator[Candidate]:
    for value in fs.sites.scalars:
        if value.one_line_scalar and value.tag == "bool":
            meaning = yaml.safe_load(value.text)
            for word in _TRUE_WORDS if meaning else _FALSE_WORDS:
                if word != value.text:
                    yield Candidate(_stratum(fs.file), f"{fs.file}:{value.path}", word,
                                    partial(_scalar_mutant, fs, value, "boolean-words", word,
                                            word, "same"))


def null_candidates(fs: FileSites) -> Iterator[Candidate]:
    for entry in fs.sites.entries:
        if entry.value.tag == "null":
            continue
        for form in _NULL_FORMS:
            if form == "" and entry.flow and entry.next_key_start is None:
                continue  # '{a: 1, b: }' is valid YAML too, but one empty form is enough
            yield Candidate(_stratum(fs.file), f"{fs.file}:{entry.path}", form or "(empty)",
                            partial(_null_mutant, fs, entry, form))


def _null_mutant(fs: FileSites, entry: Entry, form: str) -> Mutant:
    key = format_path(entry.path)
    deletion = Mutant(
        id=f"reference:deleted:{fs.file}:{key}", cls="reference", file=fs.file,
        what="(reference)", expect="no-looser", ops=_write(fs.file, delete_entry(fs.text, entry)))
    hazardous = hazardous_null(fs.file, entry.path)
    return Mutant(
        id=f"nulls:{fs.file}:{key}:{form or '(empty)'}", cls="nulls", file=fs.file,
        what=f"{key}: {form or '(nothing)'}" + (" (hazardous: absent widens or means always)"
                                               if hazardous else ""),
        ops=_write(fs.file, replace_value(fs.text, entry, form)),
        # Null must decide exactly as absent; where absence widens, it must be refused.
        expect="refuse" if hazardous else "same",
        reference=deletion, reference_refused="refuse", line=entry.key_line, key=key)


def deletion_candidates(fs: FileSites) -> Iterator[Candidate]:
    for entry in fs.sites.entries:
        yield Candidate(_stratum(fs.file), f"{fs.file}:{entry.path}", "deleted",
                        partial(_deletion, fs, entry))


def unknown_key_candidates(fs: FileSites) -> Iterator[Candidate]:
    for mapping in fs.sites.mappings:
        first = mapping.keys[0]
        typo = first[: len(first) // 2] + first[len(first) // 2 + 1:] or "x"
        for variant, key in (("typo", typo), ("extra", "x_unexpected")):
            if key in mapping.keys:
                continue
            yield Candidate(_stratum(fs.file), f"{fs.file}:{mapping.path}", variant,
                            partial(_unknown_key_mutant, fs, mapping, key))


def _unknown_key_mutant(fs: FileSites, mapping: Mapping, key: str) -> Mutant:
    text, line = add_key(fs.text, mapping, key, "x")
    path = format_path(mapping.path + (key,))
    return Mutant(id=f"unknown-keys:{fs.file}:{path}", cls="unknown-keys", file=fs.file,
                  what=f"{path}: x added", ops=_write(fs.file, text), expect="refuse",
                  line=line, key=path)


_WRONG_SHAPES = {"seq": ["x_scalar", "{x: 1}"], "map": ["x_scalar", "[x]"]}


def wrong_type_candidates(fs: FileSites) -> Iterator[Candidate]:
    for entry in fs.sites.entries:
        shapes = _WRONG_SHAPES.get(entry.value.tag, ["[x]", "{x: 1}"])
        if entry.value.tag == "null":
            continue
        for shape in shapes:
            yield Candidate(_stratum(fs.file), f"{fs.file}:{entry.path}", shape,
                            partial(_wrong_type_mutant, fs, entry, shape))


def _wrong_type_mutant(fs: FileSites, entry: Entry, shape: str) -> Mutant:
    key = format_path(entry.path)
    return Mutant(id=f"wrong-types:{fs.file}:{key}:{shape}", cls="wrong-types", file=fs.file,
                  what=f"{key}: {entry.value.tag} -> {shape}",
                  ops=_write(fs.file, replace_value(fs.text, entry, shape)), expect="refuse",
                  line=entry.key_line, key=key)


def quoted_candidates(fs: FileSites) -> Iterator[Candidate]:
    """A number or boolean written as a string ("753", "true"): refused, or never looser than
    with the fact unknown (a string where a number is meant must not pass as a match)."""
    for value in fs.sites.scalars:
        if value.one_line_scalar and value.plain and value.tag in ("int", "float", "bool"):
            yield Candidate(_stratum(fs.file), f"{fs.file}:{value.path}", "quoted",
                            partial(_scalar_mutant, fs, value, "quoted-scalars", "quoted",
                                    f'"{value.text}"', "no-looser"))



# ---------------------------------------------------------------- extra files

DENY_ALL = """\
id: deny-all
title: Deny everything
description: Nothing may be used while the review runs.
rules:
  - id: team.deny-all
    description: nothing may be used until the review is done
    effect: deny
    severity: critical
    message: "{model.name} may not be used until the review is done"
    rationale: {text: review pending, source: team decision}
"""
DENY_ALL_JSON = json.dumps(yaml.safe_load(DENY_ALL), indent=2) + "\n"
_READ_AS_INTENDED = Mutant(
    id="reference:policies/deny-all.yaml", cls="reference", file="catalog/policies/deny-all.yaml",
    what="(reference: the deny-all policy where govern reads it)", expect="no-looser",
    ops=(FsOp("write", "catalog/policies/deny-all.yaml", DENY_ALL.encode()),))


def _extra(name: str, offending: str, ops: Sequence[FsOp], intended: bool,
           expect: Expect = "refuse") -> Mutant:
    return Mutant(id=f"extra-files:{name}", cls="extra-files", file=offending,
                  what=name, ops=tuple(ops), expect=expect,
                  reference=_READ_AS_INTENDED if intended else None)


def extra_file_mutants() -> list[Mutant]:
    """Files under the catalog that govern does not read. The deny-all policy is what the team
    meant to add: were it skipped, every allow would be a silent allow."""
    deny = DENY_ALL.encode()
    return [
        _extra("misnamed folder policy/", "catalog/policy",
               [FsOp("mkdir", "catalog/policy"), FsOp("write", "catalog/policy/deny-all.yaml", deny)],
               True),
        _extra("upper-case folder Policies/", "catalog/Policies",
               [FsOp("mkdir", "catalog/Policies"),
                FsOp("write", "catalog/Policies/deny-all.yaml", deny)], True),
        _extra("upper-case extension deny-all.YAML", "catalog/policies/deny-all.YAML",
               [FsOp("write", "catalog/policies/deny-all.YAML", deny)], True),
        _extra("mixed-case extension deny-all.Yml", "catalog/policies/deny-all.Yml",
               [FsOp("write", "catalog/policies/deny-all.Yml", deny)], True),
        _extra("a .json file in a kind folder", "catalog/policies/deny-all.json",
               [FsOp("write", "catalog/policies/deny-all.json", DENY_ALL_JSON.encode())], True),
        _extra("a .txt file in a kind folder", "catalog/policies/deny-all.txt",
               [FsOp("write", "catalog/policies/deny-all.txt", deny)], True),
        _extra("a backup file deny-all.yaml~", "catalog/policies/deny-all.yaml~",
               [FsOp("write", "catalog/policies/deny-all.yaml~", deny)], True),
        _extra("a subfolder in a kind folder", "catalog/policies/team",
               [FsOp("mkdir", "catalog/policies/team"),
                FsOp("write", "catalog/policies/team/deny-all.yaml", deny)], True),
        _extra("a record at the catalog root", "catalog/deny-all.yaml",
               [FsOp("write", "catalog/deny-all.yaml", deny)], True),
        _extra("an empty unknown folder", "catalog/drafts", [FsOp("mkdir", "catalog/drafts")],
               False),
        _extra("a dangling symlink", "catalog/policies/deny-all.yaml",
               [FsOp("symlink", "catalog/policies/deny-all.yaml", target="missing.yaml")], False),
        _extra("a symlink to a file outside the catalog root", "catalog/policies/deny-all.yaml",
               [FsOp("mkdir", "outside"), FsOp("write", "outside/deny-all.yaml", deny),
                FsOp("symlink", "catalog/policies/deny-all.yaml",
                     target="../../outside/deny-all.yaml")], True),
        _extra("a symlinked folder outside the catalog root", "catalog/policies/team",
               [FsOp("mkdir", "outside"), FsOp("write", "outside/deny-all.yaml", deny),
                FsOp("symlink", "catalog/policies/team", target="../../outside")], True),
        _extra("a symlink loop", "catalog/policies/loop.yaml",
               [FsOp("symlink", "catalog/policies/loop.yaml", target="loop.yaml")], False),
        _extra("a two-link symlink cycle", "catalog/policies/ping.yaml",
               [FsOp("symlink", "catalog/policies/ping.yaml", target="pong.yaml"),
                FsOp("symlink", "catalog/policies/pong.yaml", target="ping.yaml")], False),
        # What a catalog may hold besides records (README, dotfiles): refused or harmless.
        _extra("a README.md at the catalog root", "catalog/README.md",
               [FsOp("write", "catalog/README.md", b"# Our catalog\n")], False, "same"),
        _extra("a dotfile in a kind folder", "catalog/policies/.gitkeep",
               [FsOp("write", "catalog/policies/.gitkeep", b"")], False, "same"),
    ]


# ---------------------------------------------------------------- structure

_STRUCTURE_FILES = ["catalog/model_cards/glm-5.2.yaml", "catalog/profiles/us-enterprise.yaml",
                    "catalog/policies/self-host-capacity.yaml", "catalog/tasks/refactoring.yaml",
                    "catalog/waivers/zai-refactoring-pilot.yaml", "govern.yaml",
                    "policy_tests/self-host-capacity.yaml"]

_BOMB = "".join(
    [f"x_lol0: &l0 [{', '.join(['lol'] * 10)}]\n"]
    + [f"x_lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 7)])


def _first_scalar_value(text: str) -> Value:
    sites = find_sites(text)
    return next(e.value for e in sites.entries if e.value.one_line_scalar and e.value.plain
                and e.value.tag == "str")


def _structure_attacks(text: str) -> list[tuple[str, bytes, Expect, int | None]]:
    """(name, new file bytes, expectation, line of the attack or None)."""
    sites = find_sites(text)
    value = _first_scalar_value(text)
    at = value.line
    first_key = sites.entries[0].path[0]
    # A tag on a collection is the one PyYAML's composer does not look at: put it on a list
    # (or, in a file without lists, a mapping) where that shape is expected, so a tag that is
    # ignored rather than refused shows up as an accepted mutant.
    collection = next(e for tag in ("seq", "map") for e in sites.entries if e.value.tag == tag)

    def at_value(new: str) -> bytes:
        return splice(text, value.start, value.end, new).encode("utf-8")

    def tagged(tag: str) -> bytes:
        return splice(text, collection.colon + 1, collection.colon + 1, f" {tag}").encode()

    deep_lists = "[" * 5000 + "]" * 5000
    return [
        ("deep-lists-file", deep_lists.encode(), "refuse", None),
        ("deep-lists-value", at_value(deep_lists), "refuse", at),
        ("deep-mappings-value", at_value("{a: " * 3000 + "1" + "}" * 3000), "refuse", at),
        ("deep-block-lists-value", at_value("\n" + "  - " + "- " * 3000 + "x"), "refuse", None),
        ("huge-file", (text + "# " + "x" * (1024 * 1024 + 10) + "\n").encode(), "refuse", None),
        ("alias-bomb", (_BOMB + text).encode(), "refuse", None),
        ("multi-document", (text + "---\n" + text).encode(), "refuse", None),
        ("tag-python-object-on-collection", tagged("!!python/object/apply:os.system"), "refuse",
         collection.key_line),
        ("tag-omap-on-collection", tagged("!!omap"), "refuse", collection.key_line),
        ("tag-include-on-collection", tagged("!include"), "refuse", collection.key_line),
        ("tag-python-on-scalar", at_value("!!python/str x"), "refuse", at),
        ("tag-binary", at_value("!!binary aGk="), "refuse", at),
        ("tag-set", at_value("!!set {a, b}"), "refuse", at),
        ("tag-custom-on-scalar", at_value("!custom x"), "refuse", at),
        ("tag-int-octal", at_value("!!int 0700"), "refuse", at),
        ("tag-float-nan", at_value("!!float .nan"), "refuse", at),
        ("merge-key", (f"x_base: &base {{a: 1}}\n<<: *base\n{text}").encode(), "refuse", None),
        ("duplicate-key", f"{text}{first_key}: again\n".encode(), "refuse",
         text.count("\n") + 1),
        ("non-utf8", splice(text, value.start, value.start, "\udce9").encode(
            "utf-8", "surrogateescape"), "refuse", None),
        ("utf16", text.encode("utf-16"), "refuse", None),
        ("nul-byte", at_value(value.text[:1] + "\x00" + value.text[1:]), "refuse", None),
        ("empty-file", b"", "refuse", None),
        ("comments-only", b"# nothing here\n", "refuse", None),
        ("bom", b"\xef\xbb\xbf" + text.encode("utf-8"), "same", None),
    ]


def _structure_mutant(file: str, name: str, data: bytes, expect: Expect, line: int | None
                      ) -> Mutant:
    return Mutant(id=f"structure:{file}:{name}", cls="structure", file=file, what=name,
                  ops=(FsOp("write", file, data),), expect=expect, line=line)


def structure_candidates(fs: FileSites) -> Iterator[Candidate]:
    if fs.file not in _STRUCTURE_FILES:
        return
    for name, data, expect, line in _structure_attacks(fs.text):
        yield Candidate(_stratum(fs.file), fs.file, name,
                        partial(_structure_mutant, fs.file, name, data, expect, line))


_MISSPELT_LICENCES = [
    ("misspelt", "MITT"), ("no-hyphen", "Apache2"), ("spaced", "Apache 2.0"),
    ("slash", "MIT/Apache-2.0"), ("bad-operator", "MIT ANDD Apache-2.0"),
    ("dangling-and", "MIT AND"), ("dangling-or", "MIT OR"), ("open-paren", "(MIT OR Apache-2.0"),
    ("licence-as-exception", "GPL-2.0-or-later WITH MIT"),
    ("unknown-exception", "Apache-2.0 WITH Foo-exception"), ("empty-licenseref", "LicenseRef-"),
    ("spaced-licenseref", "LicenseRef-a b"), ("proprietary-words", "proprietary software"),
]
"""Licence text that is no SPDX expression: each must be refused where it stands."""


def _is_licence(file: str, path: YamlPath) -> bool:
    """A card's licence, or an entry of a profile's approved list."""
    if file.startswith("catalog/model_cards/"):
        return path == ("license",)
    return file.startswith("catalog/profiles/") and path[:1] == ("approved_licenses",) and (
        len(path) == 2)


def licence_candidates(fs: FileSites) -> Iterator[Candidate]:
    """Misspelt licences and malformed SPDX expressions (refused), and the same licence in
    another case (read as the same SPDX id: decided exactly as before)."""
    for value in fs.sites.scalars:
        if not (value.one_line_scalar and _is_licence(fs.file, value.path)):
            continue
        site = f"{fs.file}:{value.path}"
        for name, text in _MISSPELT_LICENCES:
            yield Candidate(_stratum(fs.file), site, name,
                            partial(_scalar_mutant, fs, value, "licences", name, text, "refuse"))
        for name, text in (("lowercase", value.text.lower()), ("uppercase", value.text.upper())):
            if text != value.text:
                yield Candidate(_stratum(fs.file), site, name,
                                partial(_scalar_mutant, fs, value, "licences", name, text,
                                        "same"))


_CARD_IDS = ["glm-5.2", "glm-5.1", "deepseek-v4-pro", "claude-opus-4.8"]
"""Bundled cards the lineage mutants link (their files exist in every hostile world)."""


def _with_bases(text: str, bases: list[str]) -> tuple[str, int]:
    """The card text with a base_model line appended, and that line's number."""
    body = text if text.endswith("\n") else text + "\n"
    return body + f"base_model: [{', '.join(bases)}]\n", body.count("\n") + 1


def _lineage_mutant(texts: dict[str, str], variant: str, links: dict[str, list[str]],
                    expect: Expect) -> Mutant:
    """base_model added to the cards in ``links``; the first card is the mutant's file."""
    ops: list[FsOp] = []
    first_line = None
    for card_id, bases in links.items():
        file = f"catalog/model_cards/{card_id}.yaml"
        text, line = _with_bases(texts[file], bases)
        ops.append(FsOp("write", file, text.encode("utf-8")))
        first_line = first_line or line
    first = next(iter(links))
    return Mutant(id=f"lineage:catalog/model_cards/{first}.yaml:base_model:{variant}",
                  cls="lineage", file=f"catalog/model_cards/{first}.yaml",
                  what=f"base_model {links} ({variant})", ops=tuple(ops), expect=expect,
                  line=first_line if expect == "refuse" else None, key="base_model")


def lineage_candidates(texts: dict[str, str]) -> Iterator[Candidate]:
    """base_model cycles (refused, naming the cards on them) and bases that are missing or
    under other licences (fail closed: never looser)."""
    a, b, c, d = _CARD_IDS
    variants: list[tuple[str, dict[str, list[str]], Expect]] = [
        ("self-cycle", {a: [a]}, "refuse"),
        ("two-cycle", {a: [b], b: [a]}, "refuse"),
        ("three-cycle", {a: [b], b: [c], c: [a]}, "refuse"),
        ("cycle-beside-a-good-base", {b: [c, a], a: [b]}, "refuse"),
        ("repeated-base", {a: [b, b]}, "refuse"),
        ("missing-base", {a: ["no-such-model"]}, "no-looser"),
        ("misspelt-base", {a: ["glm-5.1x"]}, "no-looser"),
        ("proprietary-base", {a: [d]}, "no-looser"),
        ("unknown-licence-base", {a: [c]}, "no-looser"),
        ("chain", {a: [b], b: [c]}, "no-looser"),
    ]
    for name, links, expect in variants:
        if all(f"catalog/model_cards/{card}.yaml" in texts for card in links):
            yield Candidate("model_cards", f"lineage:{name}", name,
                            partial(_lineage_mutant, texts, name, links, expect))


def dated_fact_candidates(fs: FileSites) -> Iterator[Candidate]:
    """A card's dated facts made malformed: an event's date moved out of order, a source key
    cited that the card does not list, an offering that ends before it starts. Every one
    refused at its key."""
    if not fs.is_card:
        return
    for value in fs.sites.scalars:
        path = value.path
        if len(path) == 4 and path[:2] == ("revocation", "events") and path[3] == "date":
            index = int(path[2])
            if index > 0:  # before the previous event
                yield Candidate(_stratum(fs.file), f"{fs.file}:{path}", "before-previous",
                                partial(_dated_mutant, fs, value, "before-previous",
                                        '"1970-01-01"'))
            if _has_event(fs, index + 1):  # after the next event
                yield Candidate(_stratum(fs.file), f"{fs.file}:{path}", "after-next",
                                partial(_dated_mutant, fs, value, "after-next", '"9999-12-31"'))
        if len(path) == 3 and path[0] == "api_offerings" and path[2] == "offered_until":
            yield Candidate(_stratum(fs.file), f"{fs.file}:{path}", "offered-until-before-since",
                            partial(_dated_mutant, fs, value, "offered-until-before-since",
                                    "1970-01-01"))
        until = None if len(path) != 3 or path[0] != "api_offerings" or \
            path[2] != "offered_since" else next(  # an end to start after: refused there
                (v for v in fs.sites.scalars if v.path == (*path[:2], "offered_until")), None)
        if until is not None:
            yield Candidate(_stratum(fs.file), f"{fs.file}:{path}", "offered-since-after-until",
                            partial(_refused_at, until, _dated_mutant, fs, value,
                                    "offered-since-after-until", "9999-12-31"))
        cites = (path[0] == "fact_sources" or path[:2] == ("revocation", "events")
                 and "sources" in path) and value.tag == "str" and isinstance(path[-1], int)
        if cites:
            yield Candidate(_stratum(fs.file), f"{fs.file}:{path}", "unknown-source",
                            partial(_dated_mutant, fs, value, "unknown-source", "no-such-source"))


def _refused_at(where: Value, build: Callable[..., Mutant], *args: Any) -> Mutant:
    """A mutant refused at another key than the one it changes."""
    return replace(build(*args), line=where.line, key=format_path(where.path))


def _has_event(fs: FileSites, index: int) -> bool:
    return any(v.path == ("revocation", "events", index, "date") for v in fs.sites.scalars)


def _dated_mutant(fs: FileSites, value: Value, variant: str, new: str) -> Mutant:
    return _scalar_mutant(fs, value, "dated-facts", variant, new, "refuse")


TEXT_CLASSES: dict[str, Callable[[FileSites], Iterator[Candidate]]] = {
    "numbers": number_candidates,
    "numbers-for-text": number_for_text_candidates,
    "numbers-plain": plain_number_candidates,
    "booleans-for-text": boolean_for_text_candidates,
    "boolean-words": boolean_word_candidates,
    "nulls": null_candidates,
    "deleted": deletion_candidates,
    "unknown-keys": unknown_key_candidates,
    "wrong-types": wrong_type_candidates,
    "quoted-scalars": quoted_candidates,
    "structure": structure_candidates,
    "licences": licence_candidates,
    "dated-facts": dated_fact_candidates,
}


# ---------------------------------------------------------------- sampling

CLASS_WEIGHTS = {
    "numbers": 25, "numbers-for-text": 6, "numbers-plain": 4, "booleans-for-text": 10,
    "boolean-words": 5, "nulls": 13, "deleted": 11, "unknown-keys": 6, "wrong-types": 7,
    "quoted-scalars": 4, "structure": 6, "licences": 4, "lineage": 2, "dated-facts": 3,
}
"""Shares of the sampled classes in the budget left after the extra files (always all of
them). Every class gets at least enough mutants to try each of its variants once."""


def covering_order(candidates: list[Candidate], rng: random.Random, limit: int
                   ) -> list[Candidate]:
    """An order whose first items rotate over file kinds, sites and variants.

    Sites are shuffled within each file kind and interleaved across kinds; the k-th pick takes
    the next site and, from that site's variants, the one at (k + k // sites) mod count, so the
    first picks cover every variant (number form, boolean word...) and every file kind before
    any repeats, and each later pass over the sites takes different variants.
    """
    by_site: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_site.setdefault(c.site, []).append(c)
    strata: dict[str, list[str]] = {}
    for site, items in by_site.items():
        strata.setdefault(items[0].stratum, []).append(site)
    for sites in strata.values():
        rng.shuffle(sites)
    variant_names = sorted({c.variant for c in candidates})
    rng.shuffle(variant_names)
    rank = {name: i for i, name in enumerate(variant_names)}
    for items in by_site.values():
        items.sort(key=lambda c: rank[c.variant])
    ordered_sites = [s for group in _interleave(sorted(strata.values(), key=len)) for s in group]
    order: list[Candidate] = []
    taken: set[tuple[str, str]] = set()
    total = min(len({(c.site, c.variant) for c in candidates}), limit)
    k = 0
    while len(order) < total:
        site = ordered_sites[k % len(ordered_sites)]
        items = by_site[site]
        for step in range(len(items)):
            pick = items[(k + k // len(ordered_sites) + step) % len(items)]
            if (pick.site, pick.variant) not in taken:
                taken.add((pick.site, pick.variant))
                order.append(pick)
                break
        k += 1
    return order


def _interleave(groups: list[list[str]]) -> Iterator[list[str]]:
    longest = max((len(g) for g in groups), default=0)
    for i in range(longest):
        yield [g[i] for g in groups if i < len(g)]


def _share_out_surplus(quotas: dict[str, int], available: dict[str, int]) -> None:
    """A class with fewer mutants than its quota (all of them are taken) passes the rest on,
    one at a time, to the classes that still have some, so N mutants are N."""
    surplus = sum(max(quotas[c] - available[c], 0) for c in quotas)
    for cls, quota in quotas.items():
        quotas[cls] = min(quota, available[cls])
    while surplus > 0:
        open_classes = [c for c in quotas if quotas[c] < available[c]]
        if not open_classes:
            return
        for cls in open_classes[:surplus]:
            quotas[cls] += 1
            surplus -= 1


def generate(texts: dict[str, str], total: int, seed: int) -> list[Mutant]:
    """``total`` mutants (or more: every class tries each of its variants at least once),
    deterministic for a seed."""
    rng = random.Random(seed)
    files = [FileSites(f, t, find_sites(t)) for f, t in sorted(texts.items())]
    mutants = extra_file_mutants()
    budget = max(total - len(mutants), 0)
    weight_sum = sum(CLASS_WEIGHTS.values())
    candidates = {cls: [c for fs in files for c in make(fs)] for cls, make in TEXT_CLASSES.items()}
    candidates["lineage"] = list(lineage_candidates(texts))  # across files, not in one
    quotas = {cls: max(budget * CLASS_WEIGHTS[cls] // weight_sum,
                       len({c.variant for c in candidates[cls]}))
              for cls in candidates}
    quotas["numbers"] += max(budget - sum(quotas.values()), 0)  # rounding: to the main class
    _share_out_surplus(quotas, {cls: len({(c.site, c.variant) for c in found})
                                for cls, found in candidates.items()})
    for cls, found in candidates.items():
        mutants.extend(c.build() for c in covering_order(found, rng, quotas[cls]))
    return mutants


def every_mutant_at(texts: dict[str, str], keys: set[str]) -> list[Mutant]:
    """Every mutant of every class at the keys named (the last key of a site's path), not a
    sample: for sites the project adds because no bundled file has them, too few to be sure
    the sample reaches them."""
    files = [FileSites(f, t, find_sites(t)) for f, t in sorted(texts.items())]
    found = [c for fs in files for make in TEXT_CLASSES.values() for c in make(fs)
             if any(c.site.endswith(f"'{key}')") for key in keys)]
    return [c.build() for c in found]
