"""The package reads top-down: each floor imports only from the floors below it.

core (pure decisions) < loading (files to records) < features (check, policy tests, decision
records, backends, Rego, schemas, validate) < formats (rendering) < cli. An import that runs back
up a floor (the core reading files, the loader knowing a report format) is how a pure core
stops being pure; this test names the module and the line that does it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import govern

PACKAGE = Path(govern.__file__).resolve().parent

FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("govern", "govern.core", "govern.conditions", "govern.facts", "govern.records",
              "govern.fieldtypes", "govern.numbers", "govern.errors", "govern.attribute_docs",
              "govern.record_data", "govern.licences", "govern.lineage")),
    ("loading", ("govern.loading",)),
    ("features", ("govern.check", "govern.policy_tests", "govern.decision_records",
                  "govern.explain", "govern.whatif",
                  "govern.matrix", "govern.backends", "govern.rego", "govern.schemas",
                  "govern.validate", "govern.team_catalog", "govern.importing",
                  "govern.prove")),
    ("formats", ("govern.formats",)),
    ("cli", ("govern.cli", "govern.__main__")),
]


def floor_of(module: str) -> int:
    """The floor of a govern module: the longest listed prefix that names it wins."""
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best is not None, f"{module} is on no floor: add it to FLOORS"
    return best


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("govern", *parts))


def govern_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a govern module, at any depth (lazy ones too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("govern")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "govern":  # 'from govern import x': x may be a module
                found += [(node.lineno, f"govern.{a.name}") if (PACKAGE / a.name).exists()
                          or (PACKAGE / f"{a.name}.py").exists() else (node.lineno, "govern")
                          for a in node.names]
            elif node.module.startswith("govern"):
                found.append((node.lineno, node.module))
    return found


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)


def test_no_import_runs_up_a_floor() -> None:
    upward = []
    for path in sources():
        module = module_name(path)
        here = floor_of(module)
        for line, imported in govern_imports(path):
            there = floor_of(imported)
            if there > here:
                upward.append(f"{path.relative_to(PACKAGE)}:{line}: {module} ({FLOORS[here][0]}) "
                              f"imports {imported} ({FLOORS[there][0]})")
    assert upward == []


def test_the_core_knows_no_files_cli_or_opa() -> None:
    # Beyond the floors: the pure core imports no I/O libraries either.
    io_libraries = {"yaml", "click", "requests", "opa_client", "os", "pathlib", "subprocess"}
    for path in sources():
        if floor_of(module_name(path)) != 0:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not {n.split(".")[0] for n in names} & io_libraries, (
                f"{path.relative_to(PACKAGE)}:{node.lineno} imports {names}")


def test_the_floors_cover_every_module() -> None:
    # A new top-level module must be placed on a floor, or the first test would miss it.
    for path in sources():
        floor_of(module_name(path))


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    # The checker itself: a core module importing the loader is reported.
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from govern.loading.catalog import Catalog\n")
    assert govern_imports(source) == [(2, "govern.loading.catalog")]
    assert floor_of("govern.loading.catalog") > floor_of("govern.core")
    assert floor_of("govern.cli") > floor_of("govern.formats.sarif")


def test_one_did_you_mean_helper() -> None:
    # Suggestions for mistyped ids, keys, facts and folders come from govern.errors.did_you_mean
    # (one cutoff); a second difflib call would be a second, diverging rule.
    importers = sorted(str(path.relative_to(PACKAGE)) for path in sources()
                       if any(isinstance(node, ast.Import | ast.ImportFrom)
                              and "difflib" in ([a.name for a in node.names]
                                                if isinstance(node, ast.Import)
                                                else [node.module or ""])
                              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))))
    assert importers == ["errors.py"]
