"""Which files a catalog holds, and the refusal of everything govern would not read.

A file govern does not read is a policy that silently does not apply: ``policy/deny-all.yaml``
(a misnamed folder), ``deny-all.YAML`` (an upper-case extension), a dangling symlink. So a
catalog directory may hold only what govern reads, and anything else is an error naming the
path:

- at the root: the record folders (``model_cards/``, ``tasks/``, ``profiles/``, ``policies/``,
  ``waivers/``) and ``policy_tests/``; and ``schemas/``, the JSON Schemas that
  ``govern schema --write`` and ``govern init`` put there for editors, which govern never reads;
- in a folder: record files named ``*.yaml`` or ``*.yml`` (lower case), nothing nested;
- anywhere: ``README`` files (``README``, ``README.md``, ...) and dotfiles (``.git``,
  ``.gitignore``, ``.github/``), which govern leaves alone by design.

Symlinks are followed only while they stay inside the catalog root; one that leaves it, dangles
or loops is refused. The bundled catalog is the one exception: its folders are symlinks into the
source checkout by construction (see pyproject.toml), so they are trusted at its root.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from govern.errors import Problem, closest
from govern.loading.yaml_source import display_path

RECORD_FOLDERS = ("model_cards", "tasks", "profiles", "policies", "waivers")
"""Folders of records, one YAML file per record named after its id."""
OTHER_FOLDERS = ("policy_tests",)
"""Folders govern reads for other commands (``govern test``)."""
LEFT_ALONE_FOLDERS = ("schemas",)
"""Root folders govern never reads: the JSON Schemas the records' ``# yaml-language-server``
modelines point at (``../schemas/policy.schema.json``), written by ``govern schema --write``."""
RECORD_SUFFIXES = (".yaml", ".yml")


def is_left_alone(name: str) -> bool:
    """README files and dotfiles: documented as allowed anywhere in a catalog, never read."""
    return name.startswith(".") or name.upper().startswith("README")


def _problem(path: Path, message: str) -> Problem:
    return Problem(display_path(path), None, None, "-", message)


def _outside(path: Path, root: Path) -> Problem | None:
    """A problem when ``path`` is a symlink that dangles, loops, or resolves outside ``root``."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return _problem(path, f"broken symlink: it points to {path.readlink()}, which does "
                              "not exist; govern would skip it, so it is refused")
    except (RuntimeError, OSError):  # a loop (RuntimeError before 3.13, OSError ELOOP after)
        return _problem(path, "symlink loop; refused")
    if not target.is_relative_to(root):
        return _problem(path, f"symlink points outside the catalog (to {target}); govern "
                              "follows symlinks only inside the catalog root")
    return None


def record_files(folder: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """The record files of one folder, sorted, and a problem for every entry govern would not
    read. ``root`` is the resolved catalog root that symlinks must stay inside."""
    return _walk(folder, root, into_subfolders=False)


def catalog_folders(root: Path, trusted: bool = False) -> tuple[dict[str, Path], list[Problem]]:
    """The folders of a catalog root by name, and a problem for every other entry.

    ``trusted`` (the bundled catalog) lets root folders be symlinks that leave the root."""
    folders: dict[str, Path] = {}
    problems: list[Problem] = []
    known = RECORD_FOLDERS + OTHER_FOLDERS
    real_root = root.resolve()
    for path in sorted(root.iterdir()):
        name = path.name
        if is_left_alone(name):
            continue
        escape = None if trusted else _outside(path, real_root)
        if escape is not None:
            problems.append(escape)
        elif name in known and path.is_dir():
            folders[name] = path
        elif name in LEFT_ALONE_FOLDERS and path.is_dir():
            continue
        else:
            problems.append(_not_a_catalog_entry(path, known + LEFT_ALONE_FOLDERS))
    return folders, problems


def _not_a_catalog_entry(path: Path, known: Iterable[str]) -> Problem:
    close = closest(path.stem.lower(), known)
    hint = f" (did you mean {close}/?)" if close else ""
    what = "folder" if path.is_dir() else "file"
    folders = RECORD_FOLDERS + OTHER_FOLDERS + LEFT_ALONE_FOLDERS
    return _problem(path, f"govern does not read this {what}{hint}: a catalog holds "
                          f"{', '.join(f'{k}/' for k in folders)}, "
                          "README files and dotfiles only")


def catalog_record_files(root: Path, trusted: bool = False
                         ) -> tuple[dict[str, list[Path]], list[Problem]]:
    """Every record file of a catalog by folder name, and every problem with its entries."""
    folders, problems = catalog_folders(root, trusted)
    found: dict[str, list[Path]] = {}
    for name, folder in folders.items():
        if name not in RECORD_FOLDERS:
            continue
        # In the bundled catalog a folder is a symlink: its files must stay inside its target.
        inside = folder.resolve() if trusted else root.resolve()
        files, trouble = record_files(folder, inside)
        found[name] = files
        problems.extend(trouble)
    return found, problems


def yaml_files_under(directory: Path) -> tuple[list[Path], list[Problem]]:
    """Every ``*.yaml``/``*.yml`` file below ``directory`` (subfolders included), sorted, and a
    problem for every other entry that is not a README or dotfile: for directories of loose
    records (``govern validate DIR``) and of policy tests, by the same rules as a catalog."""
    return _walk(directory, directory.resolve(), into_subfolders=True)


def _walk(directory: Path, root: Path, into_subfolders: bool
          ) -> tuple[list[Path], list[Problem]]:
    """The one walk both readers share: README files and dotfiles left alone, symlinks kept
    inside ``root``, every other entry a YAML file or a problem. A subfolder is walked too,
    or is itself a problem (record folders are flat)."""
    files: list[Path] = []
    problems: list[Problem] = []
    pending = [directory]
    while pending:
        folder = pending.pop()
        for path in sorted(folder.iterdir()):
            if is_left_alone(path.name):
                continue
            escape = _outside(path, root)
            if escape is not None:
                problems.append(escape)
            elif path.is_dir() and into_subfolders:
                pending.append(path)
            elif path.is_dir():
                problems.append(_problem(path, f"a folder inside {folder.name}/: govern reads "
                                               "only the record files directly in it, not "
                                               "subfolders"))
            else:
                found, trouble = _one_file(path)
                files.extend(found)
                problems.extend(trouble)
    return sorted(files), problems


def _one_file(path: Path) -> tuple[list[Path], list[Problem]]:
    if path.suffix in RECORD_SUFFIXES and path.is_file():
        return [path], []
    if path.suffix.lower() in RECORD_SUFFIXES:
        return [], [_problem(path, f"the extension must be lower-case .yaml or .yml; govern "
                                   f"would not read {path.name!r}")]
    return [], [_problem(path, f"govern reads only .yaml and .yml files here; remove or rename "
                               f"{path.name!r}")]
