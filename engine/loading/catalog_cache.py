"""The validated catalog, kept between runs: a file per catalog, keyed by every input byte.

Loading a catalog composes every YAML file and validates every record: most of what a one-shot
command like ``govern evaluate`` costs. What comes out depends only on the bytes of the
catalog's files, the names they are shown under, and the code that reads them, so a digest
of all of these is the key. A run whose key matches a cache file takes the records from it
(no YAML, no validation); any difference -- one byte of one card, a renamed file, another
version of govern, pydantic or PyYAML, another Python -- misses, and the catalog is loaded in
full and written back.

A cache file is plain data written with ``marshal`` (no code, no classes: records are
rebuilt only as the record kinds listed below), behind a header holding the sha256 of that
data. A file that is unreadable, truncated, corrupt or of another format is ignored (the
catalog is loaded in full), never trusted. It is written to a temporary file and renamed into
place, so a reader never sees half a file, whatever runs concurrently. Only a catalog without
problems is kept: a refusal is found again, with its message, on every run.

Where: ``$XDG_CACHE_HOME/govern/catalogs`` (by default ``~/.cache/govern/catalogs``);
``GOVERN_CACHE=off`` or ``govern --no-cache`` turns it off, ``GOVERN_CACHE=/abs/dir`` moves it.
The CLI reads those (``cache_from_environment``); the engine is handed a ``CatalogCache`` or
None.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from govern.errors import InputError, Problem
from govern.loading import yaml_source
from govern.loading.yaml_source import LoadedYaml

CACHE_ENV = "GOVERN_CACHE"
CACHE_OFF = "off"
FORMAT = b"govern-catalog-cache/1\n"
"""First line of every cache file; a file of another format is ignored."""
KEEP_FILES = 64
"""Cache files kept per directory (the most recently written); one per catalog and
working directory, so this bounds the space a long-lived machine spends on them."""

CachedRecord = tuple[str, Any, LoadedYaml]
"""(record folder, validated record, what the loader read for it)."""


class Uncacheable(Exception):
    """A record holds a value the cache format does not carry: the catalog is not kept."""


@functools.cache
def _record_classes() -> dict[str, type[BaseModel]]:
    """Every pydantic class a record may hold, by ``module.qualname``: the record kinds and
    their parts, and the condition language's nodes. Nothing else is ever rebuilt."""
    from govern.conditions import AllOf, AnyOf, FactRef, NotOf, Test
    from govern.records import Record

    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [Record, FactRef, AllOf, AnyOf, NotOf, Test]
    while pending:
        model = pending.pop()
        found[f"{model.__module__}.{model.__qualname__}"] = model
        pending.extend(model.__subclasses__())
    return found


@functools.cache
def _code_digest() -> str:
    """sha256 of the source that turns files into records: a changed reader or record model is
    another key. That is the package's top-level modules (the pure core among them) and
    ``loading/``: tests/core/test_layering.py holds that these import nothing from the
    subpackages above them (check, matrix, formats, ...), lazily or not."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("loading/*.py")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _reader_settings() -> tuple[Any, ...]:
    """What else decides how bytes become records: the libraries, the interpreter, the
    composer and the loader's limits."""
    import pydantic
    import yaml

    return (sys.version, marshal.version, pydantic.VERSION, yaml.__version__,
            yaml.__with_libyaml__, yaml_source.composer, yaml_source.MAX_FILE_BYTES,
            yaml_source.MAX_NODES, yaml_source.MAX_DEPTH)


def catalog_key(files: Sequence[tuple[str, str, bool, bytes]]) -> str:
    """The key of a catalog: (record folder, file as shown, trusted root, bytes) of every
    file in load order, with govern's code and the reader settings."""
    digest = hashlib.sha256(FORMAT)
    digest.update(_code_digest().encode())
    digest.update(marshal.dumps(_reader_settings()))
    for folder, shown, trusted, content in files:
        digest.update(marshal.dumps((folder, shown, trusted, len(content))))
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


# ---------------------------------------------------------------- records as plain data


def _encode(value: Any, classes: dict[type[BaseModel], int]) -> Any:
    """A record's value as plain data: a model is ``(index of its class, fields, fields
    set)``, a date ``(ordinal,)``; lists and mappings as they are. Tuples mark these two, so
    a value that is a tuple (or any other type) is refused."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind is list:
        return [_encode(item, classes) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise Uncacheable("a mapping with keys other than text")
        return {key: _encode(item, classes) for key, item in value.items()}
    if kind is dt.date:
        return (value.toordinal(),)
    if isinstance(value, BaseModel) and kind in classes:
        if value.__pydantic_extra__ or value.__pydantic_private__:
            raise Uncacheable(f"{kind.__name__} holds extra or private attributes")
        fields = {name: _encode(item, classes) for name, item in value.__dict__.items()}
        return (classes[kind], fields, tuple(sorted(value.model_fields_set)))
    raise Uncacheable(f"a value of type {kind.__name__}")


def _decode(value: Any, classes: Sequence[type[BaseModel]]) -> Any:
    """``_encode`` undone: each model rebuilt as pickle rebuilds one (no validation: it was
    validated when the cache was written, from the same bytes, by the same code)."""
    kind = type(value)
    if kind is list:
        return [_decode(item, classes) for item in value]
    if kind is dict:
        return {key: _decode(item, classes) for key, item in value.items()}
    if kind is not tuple:
        return value
    if len(value) == 1:
        return dt.date.fromordinal(value[0])
    index, fields, fields_set = value
    model = classes[index]
    record = model.__new__(model)
    record.__setstate__({
        "__dict__": {name: _decode(item, classes) for name, item in fields.items()},
        "__pydantic_fields_set__": set(fields_set),
        "__pydantic_extra__": None,
        "__pydantic_private__": None,
    })
    return record


def encode_records(records: Iterable[CachedRecord]) -> tuple[Any, ...]:
    """The records as plain data for ``marshal``; ``Uncacheable`` if one cannot be."""
    known = _record_classes()
    classes = {model: index for index, model in enumerate(known.values())}
    entries = []
    for folder, record, source in records:
        # what YAML read is plain data already: no class may appear in it
        entries.append((folder, _encode(record, classes), source.file, _encode(source.data, {}),
                        source.positions, source.scalar_texts))
    return tuple(known), tuple(entries)


def decode_records(payload: Any) -> list[CachedRecord]:
    """``encode_records`` undone; any surprise in the data raises (and the file is ignored)."""
    names, entries = payload
    known = _record_classes()
    classes = [known[name] for name in names]
    decoded: list[CachedRecord] = []
    for folder, record, file, data, positions, scalar_texts in entries:
        if type(file) is not str or type(positions) is not dict or type(scalar_texts) is not dict:
            raise ValueError("not a cache entry")
        source = LoadedYaml(file=file, data=_decode(data, ()), positions=positions,
                            scalar_texts=scalar_texts)
        decoded.append((folder, _decode(record, classes), source))
    return decoded


# ---------------------------------------------------------------- the cache directory


@dataclass(frozen=True)
class CatalogCache:
    """A directory of cache files, one per catalog (its roots, seen from one directory)."""

    directory: Path

    def file_for(self, roots: Sequence[Path]) -> Path:
        where = "\0".join([os.getcwd(), *(os.path.abspath(root) for root in roots)])
        return self.directory / (hashlib.sha256(where.encode()).hexdigest()[:32] + ".catalog")

    def read(self, roots: Sequence[Path], key: str) -> list[CachedRecord] | None:
        """The records kept under ``key``, or None: no file, another key, or a file that is
        not exactly what ``write`` wrote."""
        try:
            content = self.file_for(roots).read_bytes()
        except OSError:
            return None
        header, _, rest = content.partition(b"\n")
        digest, _, payload = rest.partition(b"\n")
        if (header + b"\n" != FORMAT
                or digest != hashlib.sha256(payload).hexdigest().encode()):
            return None
        try:
            stored_key, records = marshal.loads(payload)
            if stored_key != key:
                return None
            return decode_records(records)
        except Exception:  # noqa: BLE001 - whatever is wrong with it, the file is not used
            return None

    def write(self, roots: Sequence[Path], key: str, records: Iterable[CachedRecord]) -> None:
        """Keep the records under ``key``; a cache that cannot be written is no cache (the
        next run loads in full), never an error."""
        try:
            payload = marshal.dumps((key, encode_records(records)))
        except (Uncacheable, ValueError):
            return
        import tempfile  # only when writing: a warm run never needs it

        content = FORMAT + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        target = self.file_for(roots)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, partial = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".partial")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(content)
                os.replace(partial, target)
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
            self._prune(keep=target)
        except OSError:
            return

    def _prune(self, keep: Path) -> None:
        files = sorted(self.directory.glob("*.catalog"), key=_modified, reverse=True)
        for stale in files[KEEP_FILES:]:
            if stale != keep:
                stale.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def default_cache_directory(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/govern/catalogs``, by default ``~/.cache/govern/catalogs``."""
    base = environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "govern" / "catalogs"


def cache_from_environment(environ: Mapping[str, str], disabled: bool = False
                           ) -> CatalogCache | None:
    """The cache the CLI uses: none with ``--no-cache`` or ``GOVERN_CACHE=off``, the
    directory ``GOVERN_CACHE`` names, else the default one."""
    setting = environ.get(CACHE_ENV, "")
    if disabled or setting == CACHE_OFF:
        return None
    if not setting:
        return CatalogCache(default_cache_directory(environ))
    if not os.path.isabs(setting):
        raise InputError(Problem("-", None, None, CACHE_ENV,
                                 f"{setting!r} is neither '{CACHE_OFF}' nor an absolute "
                                 "directory path"))
    return CatalogCache(Path(setting))
