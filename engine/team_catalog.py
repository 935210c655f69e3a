"""``govern init`` and ``govern schema --write``: a team catalog that editors understand.

Every record file starts with a ``# yaml-language-server: $schema=../schemas/KIND.schema.json``
modeline. The path is relative to the record, so it resolves wherever the catalog is copied
to, as long as the schemas sit in the catalog's ``schemas/`` folder (which govern leaves alone,
see ``govern.loading.catalog_files``). The bundled records carry the same modeline; in the
source checkout the top-level ``schemas`` symlink (to ``engine/json_schemas``) resolves it.
The installed package has no ``_bundled/schemas`` on purpose: the wheel builder keeps one copy
of files reached twice, and the copy kept would not be ``govern/json_schemas``. Nobody edits
site-packages; ``govern init`` copies the records and writes the schemas next to them.
"""

from __future__ import annotations

from pathlib import Path

from govern.errors import InputError, Problem
from govern.loading.catalog import bundled_root
from govern.loading.catalog_files import LEFT_ALONE_FOLDERS, RECORD_SUFFIXES
from govern.loading.yaml_source import display_path
from govern.schemas import schema_file_name, write_schemas

SCHEMAS_FOLDER = LEFT_ALONE_FOLDERS[0]
MODELINE_PREFIX = "# yaml-language-server: $schema="

FOLDER_KINDS: dict[str, str] = {
    "model_cards": "model_card",
    "tasks": "task",
    "profiles": "profile",
    "policies": "policy",
    "waivers": "waiver",
    "policy_tests": "policy_test",
}
"""Catalog folder -> the schema kind of the files in it (``govern schema KIND``)."""

STARTER_FOLDERS = ("model_cards", "tasks", "profiles", "policies", "policy_tests")
"""The bundled folders ``govern init`` copies (the bundled catalog has no waivers)."""

README = """\
# Team catalog

Started with `govern init`; layered over govern's bundled catalog with `--catalog DIR` (or
`catalog: [DIR]` in a project's `govern.yaml`). A record here replaces the bundled record of
the same id; new ids add to it. See docs/writing-policies.md in govern for the rule language.

| Folder          | What it holds                                                        |
|-----------------|----------------------------------------------------------------------|
| `model_cards/`  | one model per file: facts from cited sources, unknown where unpublished |
| `tasks/`        | use cases: risk tier, data classes, business-critical or not          |
| `profiles/`     | organisations: where each data class may go, self-host capacity       |
| `policies/`     | rules (deny, require, warn) about one concern per file                |
| `waivers/`      | approved, time-limited exceptions to deny rules                       |
| `policy_tests/` | cases pinning down what the policies decide (`govern test`)           |
| `schemas/`      | JSON Schemas for editors; govern never reads them                     |

Every record starts with a `# yaml-language-server: $schema=../schemas/...` line, so an editor
with the YAML language server (VS Code's YAML extension) completes and checks it.

    govern validate DIR                          # every file, every problem at once
    govern test DIR/policy_tests --catalog DIR   # the policy tests against this catalog
    govern schema --write DIR                    # refresh schemas/ after upgrading govern
"""


def modeline(folder: str) -> str:
    """The first line of a record in ``folder`` (a key of ``FOLDER_KINDS``)."""
    return f"{MODELINE_PREFIX}../{SCHEMAS_FOLDER}/{schema_file_name(FOLDER_KINDS[folder])}"


def with_modeline(text: str, folder: str) -> str:
    """``text`` starting with the folder's modeline, replacing a modeline it already has."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith(MODELINE_PREFIX):
        lines = lines[1:]
    return modeline(folder) + "\n" + "".join(lines)


def write_catalog_schemas(catalog_dir: Path) -> list[Path]:
    """Every kind's JSON Schema into ``catalog_dir/schemas/``, where the modelines point."""
    return write_schemas(catalog_dir / SCHEMAS_FOLDER)


def _refuse_unless_empty(directory: Path, force: bool) -> None:
    if directory.exists() and not directory.is_dir():
        raise InputError(Problem(display_path(directory), None, None, "DIR",
                                 "exists and is not a directory"))
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise InputError(Problem(display_path(directory), None, None, "DIR",
                                 "is not empty; govern init starts a new catalog: choose an "
                                 "empty or new directory, or pass --force to overwrite the "
                                 "files it writes (other files are kept)"))


def init_catalog(directory: Path, force: bool = False) -> dict[str, int]:
    """Copy the bundled catalog into ``directory`` with modelines, schemas and a README.

    Returns how many files each folder received. Refuses (``InputError``) a non-empty
    directory unless ``force``."""
    _refuse_unless_empty(directory, force)
    source = bundled_root()
    counts: dict[str, int] = {}
    for folder in STARTER_FOLDERS:
        target = directory / folder
        target.mkdir(parents=True, exist_ok=True)
        files = sorted(p for p in (source / folder).iterdir() if p.suffix in RECORD_SUFFIXES)
        for path in files:
            text = with_modeline(path.read_text(encoding="utf-8"), folder)
            (target / path.name).write_text(text, encoding="utf-8")
        counts[folder] = len(files)
    waivers = directory / "waivers"
    waivers.mkdir(exist_ok=True)
    (waivers / "README.md").write_text(
        "One waiver per file, e.g. `waivers/legacy-bot.yaml`, starting with\n"
        f"`{modeline('waivers')}`.\n", encoding="utf-8")
    counts["waivers"] = 0
    counts[SCHEMAS_FOLDER] = len(write_catalog_schemas(directory))
    (directory / "README.md").write_text(README, encoding="utf-8")
    return counts
