"""The two versions of a catalog ``govern diff`` compares, read from disk or from git.

The catalog is layered (bundled, then ``GOVERN_CATALOG``, then each ``--catalog``); the layer
being compared is the last one, the team catalog (the bundled catalog itself when there is no
other layer: a clone of this repository edited in place). The earlier version takes its place:

- ``--base DIR``: a directory holding that layer as it was;
- ``--base-ref REF``: the layer's files at git revision REF, read with git itself
  (``git ls-tree`` and ``git cat-file``) from the repository that holds each of its folders,
  into a temporary directory. Symlinked folders (the bundled catalog in a source checkout) are
  followed to the folder git tracks.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govern.errors import InputError, Problem
from govern.loading.catalog import KIND_DIRS, Catalog, load_catalog
from govern.matrix.diff import CatalogVersion

GIT_TIMEOUT = 60.0
"""Seconds one git command may take."""


def catalog_version(catalog: Catalog, label: str) -> CatalogVersion:
    return CatalogVersion(label, catalog.models, catalog.tasks, catalog.profiles,
                          catalog.policies, catalog.waivers)


def with_base(roots: list[Path], base: Path) -> list[Path]:
    """The catalog layers with the last one (the one being compared) replaced by ``base``."""
    return [*roots[:-1], base]


def _problem(message: str) -> InputError:
    return InputError(Problem("-", None, None, "--base-ref", message))


def _git(args: list[str], where: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(where), *args], capture_output=True,
                              check=False, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise _problem("git is not installed (it reads the catalog at a revision)") from None
    except subprocess.TimeoutExpired:
        raise _problem(f"git {args[0]} took more than {GIT_TIMEOUT:g}s") from None


def _git_text(args: list[str], where: Path, failure: str) -> str:
    result = _git(args, where)
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise _problem(f"{failure}" + (f" ({detail[-1]})" if detail else ""))
    return result.stdout.decode().strip()


def _existing(path: Path) -> Path:
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def _tracked_folder(layer: Path, kind: str) -> tuple[Path, str]:
    """The repository holding a kind folder of the layer, and the folder's path inside it."""
    folder = (layer / kind).resolve() if (layer / kind).exists() else layer.resolve() / kind
    probe = _existing(folder)
    top = _git_text(["rev-parse", "--show-toplevel"], probe,
                    f"{layer} is not inside a git repository")
    return Path(top), folder.relative_to(Path(top).resolve()).as_posix()


def _commit(ref: str, repository: Path) -> str:
    if not ref or ref.startswith("-"):
        raise _problem(f"not a revision: {ref!r}")
    return _git_text(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
                     repository, f"unknown revision {ref!r} in {repository}")


def _files_at(repository: Path, commit: str, folder: str) -> list[tuple[str, str]]:
    """(name, blob id) of the regular YAML files directly in ``folder`` at ``commit``."""
    listing = _git(["ls-tree", "-z", commit, "--", f"{folder}/"], repository)
    if listing.returncode != 0:
        raise _problem(f"git ls-tree failed in {repository}")
    files = []
    for entry in listing.stdout.decode().split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, blob = meta.split(" ")
        name = path.rsplit("/", 1)[-1]
        if kind == "blob" and mode in ("100644", "100755") and name.endswith((".yaml", ".yml")):
            files.append((name, blob))
    return files


def write_layer_at(layer: Path, ref: str, into: Path) -> dict[str, str]:
    """Write the layer's record files as of revision ``ref`` into ``into`` (one folder per
    kind). Returns, per written file, how to name it in messages: ``REF:path/in/repo``."""
    shown: dict[str, str] = {}
    for kind in KIND_DIRS:
        repository, folder = _tracked_folder(layer, kind)
        commit = _commit(ref, repository)
        for name, blob in _files_at(repository, commit, folder):
            content = _git(["cat-file", "blob", blob], repository)
            if content.returncode != 0:
                raise _problem(f"cannot read {folder}/{name} at {ref}")
            target = into / kind / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.stdout)
            shown[str(target)] = f"{ref}:{folder}/{name}"
    return shown


@contextmanager
def layer_at_revision(layer: Path, ref: str, scratch: Path) -> Iterator[Path]:
    """The layer as of ``ref`` in ``scratch``; problems in its files name them as
    ``REF:path`` rather than the scratch copy."""
    shown = write_layer_at(layer, ref, scratch)
    try:
        yield scratch
    except InputError as e:
        raise InputError([Problem(shown.get(p.file, p.file), p.line, p.column, p.key, p.message)
                          for p in e.problems]) from None


def load_base(roots: list[Path], base: Path | None, ref: str | None, scratch: Path
              ) -> tuple[Catalog, str]:
    """The earlier version's catalog and how to name it."""
    if base is not None:
        return load_catalog(with_base(roots, base)), str(base)
    assert ref is not None
    with layer_at_revision(roots[-1], ref, scratch) as copy:
        return load_catalog(with_base(roots, copy)), f"{ref} (git)"
