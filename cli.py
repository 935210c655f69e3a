"""The ``govern`` command: a thin layer that parses flags, calls the engine, prints, and turns
errors into exit codes in one place.

Exit codes: 0 the recommendation is api or self-host (or a check passed); 1 disallow (or a
check failed); 2 bad usage or invalid input; 3 engine failure. An error is never an allow.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from engine import __version__
from engine.backends import Backend, DecisionRequest
from engine.backends.native import NativeBackend
from engine.errors import EngineError, GovernError, InputError, Problem
from engine.facts import FACTS
from engine.formats import DECISION_FORMATS
from engine.loading.catalog import (
    DEFAULT_PROFILE,
    Catalog,
    catalog_roots,
    load_catalog,
)
from engine.records import RECORD_KINDS

EXIT_OK, EXIT_DISALLOW, EXIT_INPUT, EXIT_ENGINE = 0, 1, 2, 3


class GovernGroup(click.Group):
    """Maps govern's typed errors to messages on stderr and exit codes, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as e:
            _fail(e.problems, EXIT_INPUT)
        except EngineError as e:
            _fail([f"engine failure: {e}"], EXIT_ENGINE)
        except GovernError as e:  # pragma: no cover - every error is one of the two above
            _fail([str(e)], EXIT_ENGINE)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # a bug must never look like an allow: exit 3, say what broke
            _fail([f"internal error: {type(e).__name__}: {e}"], EXIT_ENGINE)


def _fail(lines: list[Problem] | list[str], code: int) -> NoReturn:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(code)


def catalog_option(func: Any) -> Any:
    return click.option(
        "--catalog", "catalogs", multiple=True, metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="A team catalog layered over the bundled one (repeatable; also GOVERN_CATALOG).",
    )(func)


ENGINES = ("native", "opa")


def engine_options(func: Any) -> Any:
    """--engine and --opa-url, shared by every command that decides."""
    func = click.option("--opa-url", metavar="URL", envvar="GOVERN_OPA_URL",
                        help="OPA server for --engine opa, e.g. http://127.0.0.1:8181 "
                             "(also GOVERN_OPA_URL).")(func)
    return click.option("--engine", "engine_name", type=click.Choice(ENGINES), default="native",
                        show_default=True,
                        help="Evaluate embedded (native) or on an Open Policy Agent server.")(func)


def make_backend(engine_name: str, opa_url: str | None) -> Backend:
    if engine_name == "native":
        return NativeBackend()
    from engine.backends.opa import OpaBackend

    if not opa_url:
        raise InputError(Problem("-", None, None, "--opa-url", "--engine opa needs --opa-url"))
    return OpaBackend(opa_url)


def parse_as_of(value: str | None) -> dt.date:
    """The decision date: given, or today (the only place govern reads the clock)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(Problem("-", None, None, "--as-of",
                                 f"expected a date as YYYY-MM-DD, got {value!r}")) from None


def open_catalog(catalogs: tuple[Path, ...]) -> Catalog:
    return load_catalog(catalog_roots(catalogs))


@click.group(cls=GovernGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govern")
def main() -> None:
    """govern: may we use model M for task T, and how? api, self-host or disallow."""


@main.command()
@click.option("--model", "model_id", required=True, help="Model card id, e.g. glm-5.2.")
@click.option("--task", "task_id", required=True, help="Task id, e.g. refactoring.")
@click.option("--profile", "profile_id", default=DEFAULT_PROFILE, show_default=True,
              help="Organisation profile id.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Decision date (default: today).")
@click.option("--format", "format_name", type=click.Choice(sorted(DECISION_FORMATS)),
              default="text", show_default=True)
@engine_options
@catalog_option
def evaluate(model_id: str, task_id: str, profile_id: str, as_of: str | None,
             format_name: str, engine_name: str, opa_url: str | None,
             catalogs: tuple[Path, ...]) -> None:
    """Decide one model for one task: recommendation, options, findings, obligations."""
    date = parse_as_of(as_of)
    catalog = open_catalog(catalogs)
    model, task, profile = catalog.lookup_many([("model_cards", model_id, "--model"),
                                                ("tasks", task_id, "--task"),
                                                ("profiles", profile_id, "--profile")])
    backend = make_backend(engine_name, opa_url)
    (decision,) = backend.decide([DecisionRequest(model, task, profile)], catalog.policy_set, date,
                                 list(catalog.waivers.values()))
    color = format_name == "text" and sys.stdout.isatty()
    click.echo(DECISION_FORMATS[format_name](decision, color), nl=False)
    sys.exit(EXIT_DISALLOW if decision.recommendation == "disallow" else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@catalog_option
def validate(paths: tuple[Path, ...], catalogs: tuple[Path, ...]) -> None:
    """Check model cards, tasks, profiles, policies and waivers; report every problem at once.

    PATHS are catalog directories or single record files; without PATHS, the bundled catalog
    and any --catalog are checked.
    """
    from engine.loading.validate_paths import validate_paths

    checked, problems = validate_paths(list(paths), catalog_roots(catalogs))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {checked} file(s)", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"ok: {checked} file(s) valid")


LISTABLE = ("models", "tasks", "profiles", "policies", "rules", "facts")


@main.command("list")
@click.argument("what", type=click.Choice(LISTABLE))
@catalog_option
def list_records(what: str, catalogs: tuple[Path, ...]) -> None:
    """Show what is in the catalog, one line each."""
    if what == "facts":
        for path, spec in FACTS.items():
            click.echo(f"{path:<52} {spec.type:<8} {spec.description}".rstrip())
        return
    catalog = open_catalog(catalogs)
    for line in _listing(catalog, what):
        click.echo(line)


def _listing(catalog: Catalog, what: str) -> list[str]:
    if what == "models":
        return [f"{m.id:<18} {m.vendor.name or 'vendor unknown':<12} "
                f"licence {m.license or 'unknown':<12} open weights "
                f"{ {True: 'yes', False: 'no', None: 'unknown'}[m.open_weights]:<8}"
                f"{m.revocation.status or ''}".rstrip() for m in catalog.models.values()]
    if what == "tasks":
        return [f"{t.id:<28} {t.risk_tier:<6} {'business-critical' if t.business_critical else '':<18}"
                f"{', '.join(t.data_classes)}" for t in catalog.tasks.values()]
    if what == "profiles":
        return [f"{p.id:<26} {p.home_jurisdiction}  prefers {' > '.join(p.preference):<18} "
                f"{p.name}" for p in catalog.profiles.values()]
    if what == "policies":
        return [f"{p.id:<24} {len(p.rules)} rule(s)  {p.title}" for p in catalog.policies.values()]
    return [f"{c.rule.id:<56} {c.rule.effect:<8} {c.rule.severity:<9} {c.policy}"
            for c in catalog.policy_set.rules]


@main.command()
@click.argument("kind", type=click.Choice(sorted(RECORD_KINDS)))
def schema(kind: str) -> None:
    """Print the JSON Schema of a record kind (for editors and other tools)."""
    from engine.schemas import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    main()
