"""The ``govern`` command: a thin layer that parses flags, calls the engine, prints, and turns
errors into exit codes in one place.

Exit codes: 0 the recommendation is api or self-host (or a check passed); 1 disallow (or a
check failed); 2 bad usage or invalid input; 3 engine failure. An error is never an allow.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.shell_completion import CompletionItem

from govern import __version__
from govern.backends import OPA_MODES, Backend, DecisionRequest, OpaMode
from govern.backends.native import NativeBackend
from govern.check.options import FAIL_ON_LEVELS, MANIFEST_FILE, FailOn
from govern.errors import EngineError, GovernError, InputError, Problem
from govern.fieldtypes import parse_iso_date
from govern.formats import (
    CHECK_FORMATS,
    DECISION_FORMATS,
    DIFF_FORMATS,
    MATRIX_FORMATS,
    TEST_FORMATS,
)
from govern.formats.listing import LIST_FORMATS, LISTINGS, render_listing
from govern.loading.catalog import (
    DEFAULT_PROFILE,
    Catalog,
    catalog_roots,
    load_catalog,
)
from govern.loading.catalog_cache import CatalogCache, cache_from_environment

if TYPE_CHECKING:
    from govern.check.report import CheckReport
    from govern.core import Decision
    from govern.explain import Explanation
    from govern.records import ModelCard, Profile, Task

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
        except BrokenPipeError:
            # The reader went away (`govern list facts | head -1`): nothing is wrong with the
            # input or the engine, and nobody is left to read a message. Click's own handler
            # silences stdout and exits 1, so a pipeline that checks status fails closed.
            raise
        except Exception as e:  # noqa: BLE001 - a bug must never look like an allow: exit 3
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


def record_option(func: Any) -> Any:
    return click.option(
        "--record", "record_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
        help="Append one decision record per decision (a JSON line with the inputs' sha256 "
             "digests) to FILE; see docs/decision-records.md.",
    )(func)


def _native_backend(opa_url: str | None, opa_mode: OpaMode) -> Backend:
    return NativeBackend()


def _opa_backend(opa_url: str | None, opa_mode: OpaMode) -> Backend:
    from govern.backends.opa import OpaBackend  # the HTTP client only when it is asked for
    from govern.backends.opa_settings import opa_environment

    if not opa_url:
        raise InputError(Problem("-", None, None, "--opa-url", "--engine opa needs --opa-url"))
    settings = opa_environment(os.environ)  # the one place the OPA environment is read
    return OpaBackend(opa_url, opa_mode, timeout=settings.timeout, token=settings.token,
                      ca_bundle=settings.ca_bundle)


BACKENDS: dict[str, Callable[[str | None, OpaMode], Backend]] = {
    "native": _native_backend,
    "opa": _opa_backend,
}
"""--engine NAME -> the factory of its backend; the flag's choices are this table's keys."""


def engine_options(func: Any) -> Any:
    """--engine, --opa-url and --opa-mode, shared by every command that decides.

    The rest of the OPA settings come from the environment only (GOVERN_OPA_TIMEOUT,
    GOVERN_OPA_TOKEN or GOVERN_OPA_TOKEN_FILE, GOVERN_OPA_CA_BUNDLE): a token is never a flag.
    """
    func = click.option("--opa-mode", type=click.Choice(OPA_MODES), default="load",
                        show_default=True, envvar="GOVERN_OPA_MODE",
                        help="load: upload the compiled policies to the server; bundle: the "
                             "server runs `govern bundle build`'s bundle, checked against the "
                             "local policy set (also GOVERN_OPA_MODE).")(func)
    func = click.option("--opa-url", metavar="URL", envvar="GOVERN_OPA_URL",
                        help="OPA server for --engine opa, e.g. http://127.0.0.1:8181 "
                             "(also GOVERN_OPA_URL).")(func)
    return click.option("--engine", "engine_name", type=click.Choice(list(BACKENDS)),
                        default="native", show_default=True,
                        help="Evaluate embedded (native) or on an Open Policy Agent server.")(func)


def make_backend(engine_name: str, opa_url: str | None, opa_mode: OpaMode) -> Backend:
    return BACKENDS[engine_name](opa_url, opa_mode)


def parse_as_of(value: str | None) -> dt.date:
    """The decision date: given, or today (the only place govern reads the clock)."""
    if value is None:
        return dt.date.today()
    try:
        return parse_iso_date(value)
    except ValueError as e:
        raise InputError(Problem("-", None, None, "--as-of", str(e))) from None


@contextmanager
def writing(path: Path, flag: str) -> Iterator[None]:
    """An output path that cannot be written is bad input (exit 2), not an engine failure."""
    try:
        yield
    except OSError as e:
        raise InputError(Problem(str(path), None, None, flag,
                                 f"cannot write: {e.strerror or e}")) from e


def open_catalog(catalogs: tuple[Path, ...]) -> Catalog:
    return load_catalog(catalog_roots(catalogs), catalog_cache())


def catalog_cache() -> CatalogCache | None:
    """The validated-catalog cache (see govern.loading.catalog_cache): GOVERN_CACHE and
    ``govern --no-cache`` decide, here at the edge, whether and where."""
    context = click.get_current_context(silent=True)
    disabled = context is not None and bool(context.find_root().meta.get(NO_CACHE))
    return cache_from_environment(os.environ, disabled)


def _complete_ids(folder: str) -> Callable[[click.Context, click.Parameter, str],
                                           list[CompletionItem]]:
    """Shell completion of a record id from the catalog the command would use (bundled,
    GOVERN_CATALOG and any --catalog typed before the flag), each with its name as help."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str
                 ) -> list[CompletionItem]:
        try:
            catalog = open_catalog(tuple(ctx.params.get("catalogs") or ()))
        except GovernError:
            return []  # a broken catalog completes nothing; running the command says why
        return [CompletionItem(record_id, help=getattr(
                    loaded.record, "name", None))
                for record_id, loaded in sorted(catalog.records[folder].items())
                if record_id.startswith(incomplete)]
    return complete


COLOR_CHOICES = ("auto", "always", "never")


def color_option(func: Any) -> Any:
    return click.option("--color", "color_choice", type=click.Choice(COLOR_CHOICES),
                        default="auto", show_default=True,
                        help="Colour the text format: auto = only on a terminal and when "
                             "NO_COLOR is unset or empty (https://no-color.org).")(func)


def use_color(choice: str, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """--color always/never wins (a flag overrides the environment, as no-color.org asks);
    auto colours a terminal unless NO_COLOR has a non-empty value."""
    if choice != "auto":
        return choice == "always"
    return is_terminal and not environ.get("NO_COLOR")


NO_CACHE = "govern.no_cache"


def _no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[NO_CACHE] = value


def one_decision(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options naming one decision (model, task, profile, date), shared by evaluate and
    explain so they read alike."""
    for option in reversed([
        click.option("--model", "model_id", required=True,
                     help="Model card id, e.g. glm-5.2.",
                     shell_complete=_complete_ids("model_cards")),
        click.option("--task", "task_id", required=True, help="Task id, e.g. refactoring.",
                     shell_complete=_complete_ids("tasks")),
        click.option("-p", "--profile", "profile_id", default=DEFAULT_PROFILE,
                     show_default=True, help="Organisation profile id.",
                     shell_complete=_complete_ids("profiles")),
        click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                     help="Decision date (default: today)."),
    ]):
        command = option(command)
    return command


@click.group(cls=GovernGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govern")
@click.option("--no-cache", is_flag=True, expose_value=False, callback=_no_cache,
              help="Load and validate the catalog in full, without reading or writing the "
                   "validated-catalog cache (also GOVERN_CACHE=off).")
def main() -> None:
    """govern: may we use model M for task T, and how? api, self-host or disallow."""


@main.command()
@one_decision
@click.option("-f", "--format", "format_name", type=click.Choice(sorted(DECISION_FORMATS)),
              default="text", show_default=True)
@click.option("--explain", "with_explanation", is_flag=True,
              help="Add what it would take for each denied option to be allowed (JSON: the "
                   "'what_would_it_take' key; see govern explain).")
@color_option
@engine_options
@catalog_option
@record_option
def evaluate(model_id: str, task_id: str, profile_id: str, as_of: str | None,
             format_name: str, with_explanation: bool, color_choice: str, engine_name: str,
             opa_url: str | None, opa_mode: OpaMode, catalogs: tuple[Path, ...],
             record_path: Path | None) -> None:
    """Decide one model for one task: recommendation, options, findings, obligations."""
    date = parse_as_of(as_of)
    catalog = open_catalog(catalogs)
    model, task, profile = catalog.lookup_many([("model_cards", model_id, "--model"),
                                                ("tasks", task_id, "--task"),
                                                ("profiles", profile_id, "--profile")])
    backend = make_backend(engine_name, opa_url, opa_mode)
    (decision,) = backend.decide([DecisionRequest(model, task, profile)], catalog.policy_set, date,
                                 list(catalog.waivers.values()))
    if record_path is not None:
        from govern.decision_records import append_decision_records

        # The record's timestamp is the only clock reading besides the default --as-of.
        append_decision_records(record_path, [decision], catalog=catalog, as_of=date,
                                now=dt.datetime.now(dt.UTC), engine=engine_name)
    color = format_name == "text" and use_color(color_choice, sys.stdout.isatty(), os.environ)
    rendered = DECISION_FORMATS[format_name](decision, color)
    if with_explanation:
        rendered = with_explanation_section(
            rendered, format_name, explain_one(catalog, decision, model, task, profile, date, 2),
            color)
    click.echo(rendered, nl=False, color=color)
    sys.exit(EXIT_DISALLOW if decision.recommendation == "disallow" else EXIT_OK)


def with_explanation_section(rendered: str, format_name: str, explanation: Explanation,
                             color: bool) -> str:
    """The decision as rendered, with what it would take: a key of the JSON document, or the
    explanation after the text."""
    import json

    from govern.formats.explain import EXPLAIN_FORMATS, EXPLAIN_KEY, explanation_document
    from govern.formats.json_format import dumps

    if format_name == "json":
        document = json.loads(rendered)
        document[EXPLAIN_KEY] = explanation_document(explanation)
        return dumps(document)
    return rendered + "\n" + EXPLAIN_FORMATS[format_name](explanation, color)


def explain_one(catalog: Catalog, decision: Decision, model: ModelCard, task: Task,
                profile: Profile, date: dt.date, max_changes: int) -> Explanation:
    """What it would take for each denied option of ``decision`` (see govern.explain)."""
    from govern.explain import catalog_pools, explain_decision

    pools = catalog_pools(list(catalog.models.values()), list(catalog.tasks.values()),
                          list(catalog.profiles.values()), list(catalog.policies.values()))
    return explain_decision(decision, model, task, profile, catalog.policy_set, date,
                            list(catalog.waivers.values()), pools, max_changes)


@main.command()
@one_decision
@click.option("-f", "--format", "format_name", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("--max-changes", type=click.IntRange(1, 4), default=2, show_default=True,
              help="The largest set of changes searched for (waivers of every standing deny "
                   "rule are always shown).")
@color_option
@catalog_option
def explain(model_id: str, task_id: str, profile_id: str, as_of: str | None,
            format_name: str, max_changes: int, color_choice: str,
            catalogs: tuple[Path, ...]) -> None:
    """What would it take: the minimal changes that would allow each denied option.

    Exit 0 as evaluate would (1 when the decision is disallow), 2 on invalid input.
    """
    from govern.formats.explain import EXPLAIN_FORMATS

    date = parse_as_of(as_of)
    catalog = open_catalog(catalogs)
    model, task, profile = catalog.lookup_many([("model_cards", model_id, "--model"),
                                                ("tasks", task_id, "--task"),
                                                ("profiles", profile_id, "--profile")])
    from govern.core import decide

    decision = decide(model, task, profile, catalog.policy_set, date,
                      list(catalog.waivers.values()))
    explanation = explain_one(catalog, decision, model, task, profile, date, max_changes)
    color = format_name == "text" and use_color(color_choice, sys.stdout.isatty(), os.environ)
    click.echo(EXPLAIN_FORMATS[format_name](explanation, color), nl=False, color=color)
    sys.exit(EXIT_DISALLOW if decision.recommendation == "disallow" else EXIT_OK)


@main.command()
@click.option("--task", "task_id", required=True, help="Task id, e.g. refactoring.",
              shell_complete=_complete_ids("tasks"))
@click.option("-p", "--profile", "profile_id", default=DEFAULT_PROFILE, show_default=True,
              help="Organisation profile id.", shell_complete=_complete_ids("profiles"))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Decision date (default: today).")
@click.option("-f", "--format", "format_name", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@engine_options
@catalog_option
def rank(task_id: str, profile_id: str, as_of: str | None, format_name: str, engine_name: str,
         opa_url: str | None, opa_mode: OpaMode, catalogs: tuple[Path, ...]) -> None:
    """Every model's allowed options for a task, cheapest per task first.

    Options whose cost is unknown come last, saying which fact is missing. Exit 0 when some
    option is allowed, 1 when none is.
    """
    from govern.formats.ranking import RANK_FORMATS
    from govern.ranking import rank_options

    date = parse_as_of(as_of)
    catalog = open_catalog(catalogs)
    task, profile = catalog.lookup_many([("tasks", task_id, "--task"),
                                         ("profiles", profile_id, "--profile")])
    requests = [DecisionRequest(model, task, profile)
                for _, model in sorted(catalog.models.items())]
    backend = make_backend(engine_name, opa_url, opa_mode)
    decisions = backend.decide(requests, catalog.policy_set, date,
                               list(catalog.waivers.values()))
    ranking = rank_options(decisions)
    click.echo(RANK_FORMATS[format_name](ranking), nl=False)
    sys.exit(EXIT_OK if ranking.options else EXIT_DISALLOW)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@catalog_option
def validate(paths: tuple[Path, ...], catalogs: tuple[Path, ...]) -> None:
    """Check catalogs, records, manifests and policy tests; report every problem at once.

    PATHS are catalog directories, directories of loose files, or single files of any kind
    `govern schema` knows; without PATHS, the bundled catalog and any --catalog are checked.
    Ids in manifests and policy tests are resolved against the catalog (with --catalog).
    """
    from govern.validate import validate_paths

    checked, problems = validate_paths(list(paths), catalogs)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        # The files with problems, then the files read: "in 14 file(s)" read as if all 14 were
        # bad. Not "2 of 14": a refused path (a misnamed folder, a .YAML) is a file with a
        # problem that was never read, so it is not among those checked.
        bad = len({problem.file for problem in problems})
        click.echo(f"{len(problems)} problem(s) in {bad} file(s); {checked} file(s) checked",
                   err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"ok: {checked} file(s) valid")


@main.command("list")
@click.argument("what", type=click.Choice(list(LISTINGS)))
@click.option("--format", "format_name", type=click.Choice(LIST_FORMATS), default="text",
              show_default=True, help="text: one aligned line each; json: an array of objects "
                                      "with typed values (null where a fact is unknown).")
@catalog_option
def list_records(what: str, format_name: str, catalogs: tuple[Path, ...]) -> None:
    """Show what is in the catalog, one line each."""
    click.echo(render_listing(what, lambda: open_catalog(catalogs), format_name), nl=False)


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Decision date of cases whose file gives none (default: today).")
@click.option("-f", "--format", "format_name", type=click.Choice(list(TEST_FORMATS)),
              default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
@click.option("--require-coverage", is_flag=True,
              help="Fail (exit 1) if any rule fired in no case.")
@engine_options
@catalog_option
def policy_test(paths: tuple[Path, ...], as_of: str | None, format_name: str, verbose: bool,
                require_coverage: bool, engine_name: str, opa_url: str | None,
                opa_mode: OpaMode, catalogs: tuple[Path, ...]) -> None:
    """Run policy test cases: decide each one and compare with what it expects.

    PATHS are test files or directories of them (default: the bundled policy_tests/). Exit 0
    when every case passes, 1 when one fails (or a rule is uncovered with --require-coverage),
    2 when a test file is invalid.
    """
    from govern.loading.catalog import bundled_root
    from govern.policy_tests.cases import load_policy_tests
    from govern.policy_tests.runner import run_policy_tests

    date = parse_as_of(as_of)
    catalog = open_catalog(catalogs)
    cases = load_policy_tests(list(paths) or [bundled_root() / "policy_tests"], catalog)
    run = run_policy_tests(cases, catalog, make_backend(engine_name, opa_url, opa_mode), date)
    click.echo(TEST_FORMATS[format_name](run, verbose), nl=False)
    failed = run.failed > 0 or (require_coverage and bool(run.uncovered))
    sys.exit(EXIT_DISALLOW if failed else EXIT_OK)


class LazyChoice(click.Choice[str]):
    """A choice whose values come from a table imported only when its command runs or shows
    help, so that the other commands start without that table's module."""

    def __init__(self, values: Callable[[], Iterable[str]]) -> None:
        super().__init__(())
        self._values = values
        self._loaded: tuple[str, ...] | None = None

    @property
    def choices(self) -> tuple[str, ...]:  # click 8.5 types it so; 8.4's Sequence accepts it
        if self._loaded is None:
            self._loaded = tuple(self._values())
        return self._loaded

    @choices.setter
    def choices(self, values: Sequence[str]) -> None:
        self._loaded = tuple(values) if values else None


def _schema_kinds() -> list[str]:
    from govern.schemas import SCHEMA_KINDS

    return sorted(SCHEMA_KINDS)


@main.command()
@click.argument("kind", type=LazyChoice(_schema_kinds), required=False)
@click.option("--write", "catalog_dir", metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Write every kind's schema into DIR/schemas/, where the records' "
                   "'# yaml-language-server: $schema=../schemas/…' lines point.")
def schema(kind: str | None, catalog_dir: Path | None) -> None:
    """Print the JSON Schema of a record kind (for editors and other tools), or write them
    all next to a team catalog with --write DIR."""
    from govern.schemas import schema_text

    if catalog_dir is not None:
        from govern.team_catalog import write_catalog_schemas

        with writing(catalog_dir, "--write"):
            written = write_catalog_schemas(catalog_dir)
        for path in written:
            click.echo(str(path))
        return
    if kind is None:
        raise click.UsageError("give a KIND to print, or --write DIR")
    click.echo(schema_text(kind), nl=False)


@main.command()
@click.argument("directory", default="catalog", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True,
              help="Write into a non-empty DIRECTORY, overwriting the files init writes.")
def init(directory: Path, force: bool) -> None:
    """Start a team catalog in DIRECTORY (default: catalog) from the bundled one.

    Every record is copied with a modeline pointing at DIRECTORY/schemas/ (for editors),
    with a README saying what each folder holds and the bundled policy tests. Refuses a
    non-empty DIRECTORY (exit 2) unless --force.
    """
    from govern.team_catalog import init_catalog

    with writing(directory, "DIRECTORY"):
        counts = init_catalog(directory, force)
    for folder, count in counts.items():
        click.echo(f"{directory / folder}/  {count} file(s)")
    click.echo(f"{directory / 'README.md'}")
    click.echo(f"next: govern validate {directory}; "
               f"govern test {directory / 'policy_tests'} --catalog {directory}")


_FAIL_ON_HELP = "; ".join(f"{level}: {meaning}" for level, meaning in FAIL_ON_LEVELS.items())

REPORT_FORMATS = [*CHECK_FORMATS, "cyclonedx"]
"""What ``govern check`` can write: the report formats, and the CycloneDX ML-BOM (which also
needs the model cards, so it is rendered here rather than from the report alone)."""


def parse_reports(ctx: click.Context, param: click.Parameter,
                  values: tuple[str, ...]) -> list[tuple[str, Path]]:
    """``--report FORMAT=PATH`` values, checked before anything runs."""
    reports = []
    for value in values:
        fmt, sep, path = value.partition("=")
        if not sep or not path:
            raise click.BadParameter(f"{value!r} is not FORMAT=PATH", ctx, param)
        if fmt not in REPORT_FORMATS:
            raise click.BadParameter(f"unknown format {fmt!r}; choose from "
                                     f"{', '.join(REPORT_FORMATS)}", ctx, param)
        reports.append((fmt, Path(path)))
    return reports


def render_check(fmt: str, report: CheckReport, catalog: Catalog) -> str:
    if fmt == "cyclonedx":
        from govern.formats.cyclonedx import render_check_cyclonedx

        return render_check_cyclonedx(report, catalog.models)
    return CHECK_FORMATS[fmt](report)


def check_options(func: Any) -> Any:
    """The flags of ``govern check`` beyond the engine's, in the order --help shows them."""
    for option in reversed([
        click.option("-m", "--manifest", "manifest_path", default=MANIFEST_FILE,
                     show_default=True, metavar="FILE",
                     type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
                     help="The usage manifest: which models the project uses, for what, and "
                          "how ('-': read it from standard input)."),
        click.option("-p", "--profile", "profile_id", metavar="ID",
                     shell_complete=_complete_ids("profiles"),
                     help="Organisation profile id (default: the manifest's, else "
                          f"{DEFAULT_PROFILE})."),
        click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                     help="Decision date (default: today)."),
        click.option("-f", "--format", "format_name", type=click.Choice(REPORT_FORMATS),
                     default="text", show_default=True,
                     help="The report on stdout (or --output)."),
        click.option("-o", "--output", "output_path", metavar="FILE",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the --format report to FILE instead of stdout (written once "
                          "the check ran)."),
        click.option("--report", "reports", multiple=True, metavar="FORMAT=PATH",
                     callback=parse_reports,
                     help="Also write the same run as FORMAT to PATH (repeatable), e.g. "
                          "--report sarif=govern.sarif --report junit=govern.xml."),
        click.option("--fail-on", "fail_on", type=click.Choice(list(FAIL_ON_LEVELS)),
                     default="deny", show_default=True,
                     help=f"When a pair fails. {_FAIL_ON_HELP}."),
        click.option("--soft-fail", is_flag=True,
                     help="Report failing pairs but exit 0 (invalid input still exits 2, an "
                          "engine failure 3)."),
        click.option("--baseline", "baseline_path", metavar="FILE",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Fail only on findings not in FILE (from --write-baseline); report "
                          "baseline entries that match nothing any more."),
        click.option("--write-baseline", "write_baseline_path", metavar="FILE",
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Record today's failing findings in FILE (and exit 0 if that "
                          "succeeds)."),
    ]):
        func = option(func)
    return func


@dataclass(frozen=True)
class CheckOutputs:
    """Where a check's results go: stdout or --output, every --report, the baselines."""

    format_name: str
    output_path: Path | None
    reports: list[tuple[str, Path]]
    baseline_path: Path | None
    write_baseline_path: Path | None


def _written(outputs: CheckOutputs, report: CheckReport, catalog: Catalog) -> list[tuple[Path,
                                                                                         str]]:
    """Every file's content, rendered in full before the first file is opened."""
    files = [(path, render_check(fmt, report, catalog)) for fmt, path in outputs.reports]
    if outputs.output_path is not None:
        files.append((outputs.output_path, render_check(outputs.format_name, report, catalog)))
    return files


def check_exit(report: CheckReport, soft_fail: bool, wrote_baseline: bool) -> int:
    if soft_fail or wrote_baseline:
        return EXIT_OK
    return report.exit_code


@main.command()
@check_options
@engine_options
@catalog_option
@record_option
def check(manifest_path: Path, profile_id: str | None, as_of: str | None, format_name: str,
          output_path: Path | None, reports: list[tuple[str, Path]], fail_on: FailOn,
          soft_fail: bool, baseline_path: Path | None, write_baseline_path: Path | None,
          engine_name: str, opa_url: str | None, opa_mode: OpaMode,
          catalogs: tuple[Path, ...], record_path: Path | None) -> None:
    """Check a project's usage manifest (govern.yaml) against the policies, for CI.

    Exit 0 when every (entry, task) pair passes, 1 when any fails, 2 on invalid input,
    3 when the engine cannot decide. One run can write several reports: --format (stdout or
    --output) and each --report FORMAT=PATH.
    """
    from govern.check.manifest_file import STDIN, read_manifest, resolve_uses
    from govern.check.report import WaiverSource, build_report
    from govern.check.source_root import uri_from_root

    date = parse_as_of(as_of)
    from_stdin = manifest_path == STDIN
    manifest = read_manifest(manifest_path, sys.stdin.read() if from_stdin else None)
    catalog = open_catalog(manifest.catalog_dirs + catalogs)
    profile, items = resolve_uses(manifest, catalog, profile_id)
    requests = [DecisionRequest(item.model, item.task, profile) for item in items]
    decisions = make_backend(engine_name, opa_url, opa_mode).decide(
        requests, catalog.policy_set, date, list(catalog.waivers.values()))
    waivers = [WaiverSource(w.record, w.file)
               for w in catalog.records["waivers"].values()]
    report = build_report(manifest=manifest.shown_as,
                          manifest_uri=manifest.shown_as if from_stdin
                          else uri_from_root(manifest_path),
                          home_url=os.environ.get("GOVERN_HOME_URL") or None,
                          items=items, decisions=decisions,
                          policies=catalog.policy_set, policy_records=catalog.policies,
                          waivers=waivers, profile=profile.id, as_of=date,
                          fail_on=fail_on)
    outputs = CheckOutputs(format_name, output_path, reports, baseline_path,
                           write_baseline_path)
    report = finish_check(report, outputs)
    if record_path is not None:
        from govern.decision_records import append_decision_records

        append_decision_records(record_path, decisions, catalog=catalog, as_of=date,
                                now=dt.datetime.now(dt.UTC), engine=engine_name)
    files = _written(outputs, report, catalog)
    if output_path is None:
        click.echo(render_check(format_name, report, catalog), nl=False)
    for path, content in files:
        flag = "--output" if path == output_path else "--report"
        with writing(path, flag):
            path.write_text(content, encoding="utf-8")
    sys.exit(check_exit(report, soft_fail, write_baseline_path is not None))


def finish_check(report: CheckReport, outputs: CheckOutputs) -> CheckReport:
    """Apply --baseline, then write --write-baseline (of the findings before any baseline)."""
    from govern.check.baseline import (
        apply_baseline,
        baseline_text,
        failing_findings,
        read_baseline,
    )
    from govern.loading.yaml_source import display_path

    if outputs.write_baseline_path is not None:
        path = outputs.write_baseline_path
        text = baseline_text(report)
        with writing(path, "--write-baseline"):
            path.write_text(text, encoding="utf-8")
        count = len(set(failing_findings(report)))
        click.echo(f"wrote {display_path(path)}: {count} finding(s)", err=True)
    if outputs.baseline_path is not None:
        baseline = read_baseline(outputs.baseline_path, display_path(outputs.baseline_path))
        report = apply_baseline(report, baseline)
        for stale in report.baseline_stale:
            click.echo(f"warning: stale baseline entry (no such finding): {stale}", err=True)
    return report


def profiles_option(func: Any) -> Any:
    """--profile (repeatable) and --all-profiles, shared by matrix and diff."""
    func = click.option("--all-profiles", is_flag=True,
                        help="Every profile of the catalog.")(func)
    return click.option("--profile", "profile_ids", multiple=True, metavar="ID",
                        help=f"Organisation profile id (repeatable; default {DEFAULT_PROFILE}).")(
        func)


def _ids(values: tuple[str, ...]) -> list[str]:
    """Ids given as ``a,b`` and/or repeated flags, in order, once each."""
    return list(dict.fromkeys(i.strip() for v in values for i in v.split(",") if i.strip()))


def chosen_profiles(catalogs: Iterable[Catalog], profile_ids: tuple[str, ...],
                    all_profiles: bool) -> list[str]:
    """The profile ids asked for, in order: every profile of ``catalogs`` with
    --all-profiles, else those given, else the default profile. Not yet looked up."""
    if all_profiles:
        return list(dict.fromkeys(p for c in catalogs for p in c.profiles))
    return _ids(profile_ids) or [DEFAULT_PROFILE]


def write_output(chunks: Iterable[str], output_path: Path | None, color: bool = False) -> None:
    """Write to ``output_path`` (through a temporary file renamed at the end, so a failed
    run leaves no half-written file) or to stdout, a piece at a time. ``color``: the text was
    coloured on purpose (--color always keeps it through a pipe, as evaluate does)."""
    if output_path is None:
        for chunk in chunks:
            click.echo(chunk, nl=False, color=color or None)
        return
    partial = output_path.with_name(f".{output_path.name}.partial")
    with writing(output_path, "--output"):
        try:
            with partial.open("w", encoding="utf-8") as out:
                for chunk in chunks:
                    out.write(chunk)
            partial.replace(output_path)
        finally:
            partial.unlink(missing_ok=True)


@main.command("matrix")
@profiles_option
@click.option("--models", "model_ids", multiple=True, metavar="ID,...",
              help="Only these model cards (comma-separated or repeated; default: all).")
@click.option("--tasks", "task_ids", multiple=True, metavar="ID,...",
              help="Only these tasks (comma-separated or repeated; default: all).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Decision date (default: today).")
@click.option("--format", "format_name", type=click.Choice(list(MATRIX_FORMATS)),
              default="text", show_default=True)
@click.option("-o", "--output", "output_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of stdout.")
@color_option
@catalog_option
def matrix(profile_ids: tuple[str, ...], all_profiles: bool, model_ids: tuple[str, ...],
           task_ids: tuple[str, ...], as_of: str | None, format_name: str,
           output_path: Path | None, color_choice: str, catalogs: tuple[Path, ...]) -> None:
    """Decide every model x task (x profile) and show the recommendation per cell.

    A report: exit 0 whatever the cells say (2 on invalid input).
    """
    from govern.matrix import decide_matrix

    date = parse_as_of(as_of)
    catalog = open_catalog(catalogs)
    profiles = chosen_profiles([catalog], profile_ids, all_profiles)
    wanted = ([("profiles", p, "--profile") for p in profiles]
              + [("model_cards", m, "--models") for m in _ids(model_ids) or catalog.models]
              + [("tasks", t, "--tasks") for t in _ids(task_ids) or catalog.tasks])
    records = catalog.lookup_many(wanted)
    result = decide_matrix(records[:len(profiles)],
                           [r for r, w in zip(records, wanted, strict=True)
                            if w[0] == "model_cards"],
                           [r for r, w in zip(records, wanted, strict=True) if w[0] == "tasks"],
                           catalog.policy_set, date, list(catalog.waivers.values()))
    color = (format_name == "text" and output_path is None
             and use_color(color_choice, sys.stdout.isatty(), os.environ))
    write_output(MATRIX_FORMATS[format_name](result, color), output_path, color)


@main.command("diff")
@click.option("--base", "base", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="The catalog as it was: a directory in place of the last catalog layer "
                   "(the last --catalog, else the bundled catalog).")
@click.option("--base-ref", "base_ref", metavar="REF",
              help="The catalog as it was at git revision REF, read with git from the "
                   "repository holding the last catalog layer.")
@click.option("--replay", "replay_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Decide every decision of a --record log again under the current catalog.")
@profiles_option
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Decision date (default: today; with --replay, each record's own).")
@click.option("--format", "format_name", type=click.Choice(list(DIFF_FORMATS)),
              default="text", show_default=True)
@click.option("-o", "--output", "output_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of stdout.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when a decision changed (message-only changes do not count).")
@color_option
@catalog_option
def diff(base: Path | None, base_ref: str | None, replay_path: Path | None,
         profile_ids: tuple[str, ...], all_profiles: bool, as_of: str | None, format_name: str,
         output_path: Path | None, exit_code: bool, color_choice: str,
         catalogs: tuple[Path, ...]) -> None:
    """Decide the whole matrix under two versions of the catalog and report what changed.

    Exit 0 (1 with --exit-code when a decision changed), 2 on invalid input.
    """
    import tempfile

    from govern.matrix.diff import diff_catalogs
    from govern.matrix.versions import catalog_version, load_base

    if sum(x is not None for x in (base, base_ref, replay_path)) != 1:
        raise click.UsageError("give exactly one of --base DIR, --base-ref REF, --replay FILE")
    roots = catalog_roots(catalogs)
    current = load_catalog(roots)
    after = catalog_version(current, str(roots[-1]) if catalogs else "the current catalog")
    if replay_path is not None:
        from govern.decision_records import read_decision_log
        from govern.matrix.replay import replay

        records = read_decision_log(replay_path)
        report = replay(records, after, str(replay_path),
                        parse_as_of(as_of) if as_of else None)
    else:
        date = parse_as_of(as_of)
        with tempfile.TemporaryDirectory(prefix="govern-base-") as scratch:
            earlier, label = load_base(roots, base, base_ref, Path(scratch))
        profiles = chosen_profiles([earlier, current], profile_ids, all_profiles)
        # a profile may exist in one version only (added or removed by the edit)
        current.lookup_many([("profiles", p, "--profile") for p in profiles
                             if p not in earlier.profiles])
        report = diff_catalogs(catalog_version(earlier, label), after, profiles, date)
    color = (format_name == "text" and output_path is None
             and use_color(color_choice, sys.stdout.isatty(), os.environ))
    write_output([DIFF_FORMATS[format_name](report, color)], output_path, color)
    sys.exit(EXIT_DISALLOW if exit_code and report.summary.decisions_changed else EXIT_OK)


@main.command("what-if")
@click.argument("scenario_path", metavar="SCENARIO.yaml", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--manifest", "manifest_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Follow the uses of this govern.yaml (default: the whole matrix).")
@click.option("--matrix", "whole_matrix", is_flag=True,
              help="Report every cell of the matrix (the default without --manifest).")
@click.option("--suspend", "suspend", metavar="MODEL_OR_VENDOR", multiple=True,
              help="Shorthand for a suspension event: a model id or a vendor name.")
@click.option("--since", "since", metavar="YYYY-MM-DD",
              help="Date of the --suspend events (default: the as-of date).")
@profiles_option
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Decision date (default: today).")
@click.option("--format", "format_name", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when a use in the manifest breaks (or, without one, a decision "
                   "changed).")
@color_option
@catalog_option
def what_if_command(scenario_path: Path | None, manifest_path: Path | None, whole_matrix: bool,
                    suspend: tuple[str, ...], since: str | None, profile_ids: tuple[str, ...],
                    all_profiles: bool, as_of: str | None, format_name: str, exit_code: bool,
                    color_choice: str, catalogs: tuple[Path, ...]) -> None:
    """What if: replay dated events on a copy of the catalog; report what breaks or changes.

    Exit 0 (1 with --exit-code when something broke), 2 on invalid input.
    """
    from govern.formats.whatif import WHATIF_FORMATS
    from govern.matrix.versions import catalog_version
    from govern.whatif import what_if
    from govern.whatif.scenario_file import check_ids, read_scenario

    if manifest_path is not None and whole_matrix:
        raise click.UsageError("give --manifest FILE or --matrix, not both")
    if scenario_path is None and not suspend:
        raise click.UsageError("give a SCENARIO.yaml or --suspend MODEL_OR_VENDOR")
    date = parse_as_of(as_of)
    uses = None
    if manifest_path is not None:
        _, catalog, profile_id, uses = manifest_uses(manifest_path, catalogs,
                                                            _ids(profile_ids))
        profiles = [profile_id]
    else:
        catalog = open_catalog(catalogs)
        profiles = chosen_profiles([catalog], profile_ids, all_profiles)
        catalog.lookup_many([("profiles", p, "--profile") for p in profiles])
    scenario = None
    if scenario_path is not None:
        scenario_file = read_scenario(scenario_path)
        check_ids(scenario_file, catalog)
        scenario = scenario_file.scenario
    scenario = with_suspensions(scenario, suspend, parse_as_of(since) if since else date,
                                catalog)
    report = what_if(catalog_version(catalog, "the catalog"), scenario, profiles, date, uses)
    color = format_name == "text" and use_color(color_choice, sys.stdout.isatty(), os.environ)
    click.echo(WHATIF_FORMATS[format_name](report, color), nl=False, color=color)
    broke = (any(u.status == "breaks" for u in report.uses) if report.uses is not None
             else report.diff.summary.decisions_changed > 0)
    sys.exit(EXIT_DISALLOW if exit_code and broke else EXIT_OK)


def manifest_uses(manifest_path: Path, catalogs: tuple[Path, ...], profile_ids: list[str]
                  ) -> tuple[Any, Catalog, str, list[Any]]:
    """The manifest, its catalog, the profile, and every (entry, task) as an intended use."""
    from govern.check.manifest_file import read_manifest, resolve_uses
    from govern.whatif import IntendedUse

    manifest = read_manifest(manifest_path)
    catalog = open_catalog(manifest.catalog_dirs + catalogs)
    profile, items = resolve_uses(manifest, catalog, profile_ids[0] if profile_ids else None)
    uses = [IntendedUse(item.use.name or item.model.id, item.line, item.model.id, item.task.id,
                        item.use.deployment, item.use.provider) for item in items]
    return manifest, catalog, profile.id, uses


def with_suspensions(scenario: Any, targets: tuple[str, ...], since: dt.date,
                     catalog: Catalog) -> Any:
    """The scenario with a suspension event per --suspend (a model id, else a vendor name)."""
    from govern.whatif.scenario import Scenario, SuspendEvent

    vendors = {m.vendor.name for m in catalog.models.values()}
    events: list[Any] = []
    for target in targets:
        if target in catalog.models:
            events.append(SuspendEvent(kind="suspend", date=since, model=target))
        elif target in vendors:
            events.append(SuspendEvent(kind="suspend", date=since, vendor=target))
        else:
            catalog.lookup("model_cards", target, "--suspend")  # unknown: says so, exit 2
    if scenario is None:
        return Scenario(name="suspend " + ", ".join(targets), events=events)
    return scenario.model_copy(update={"events": [*scenario.events, *events]})


PROVE_GATES = ("more-permissive", "more-restrictive", "change", "lint")


@main.command("prove")
@click.option("--base", "base", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="The catalog as it was: a directory in place of the last catalog layer "
                   "(as in govern diff).")
@click.option("--base-ref", "base_ref", metavar="REF",
              help="The catalog as it was at git revision REF (as in govern diff).")
@click.option("--format", "format_name", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("-o", "--output", "output_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of stdout.")
@click.option("--witness-dir", "witness_dir", metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Write each counterexample as two catalogs (base, current) under DIR, "
                   "for govern evaluate --catalog.")
@click.option("--fail-on", "fail_on", multiple=True, type=click.Choice(PROVE_GATES),
              help="Exit 1 when the policies are more permissive, more restrictive, not "
                   "equivalent (change) anywhere, or lint finds a rule (repeatable).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="The date counterexamples prefer (default: today); answers cover every "
                   "date.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=60.0,
              show_default=True, help="Seconds the solver may spend on one query.")
@catalog_option
def prove(base: Path | None, base_ref: str | None, format_name: str,
          output_path: Path | None, witness_dir: Path | None, fail_on: tuple[str, ...],
          as_of: str | None, timeout_s: float, catalogs: tuple[Path, ...]) -> None:
    """Answer over every well-formed card, task, profile and date: is the policy set
    equivalent to the base, more permissive or more restrictive anywhere, and which rules
    never fire, always fire, are shadowed or contradict themselves (see docs/can-it-ever.md).

    A report: exit 0. With --fail-on: 1 when a chosen question is answered yes (or possibly),
    3 when the solver could not answer it; 2 on invalid input.
    """
    import tempfile

    from govern.matrix.versions import load_base
    from govern.prove.questions import prove as prove_all
    from govern.prove.report import PROOF_FORMATS, write_witnesses
    from govern.prove.witness import Version

    if (base is None) == (base_ref is None):
        raise click.UsageError("give exactly one of --base DIR, --base-ref REF")
    roots = catalog_roots(catalogs)
    current = load_catalog(roots)
    with tempfile.TemporaryDirectory(prefix="govern-base-") as scratch:
        earlier, label = load_base(roots, base, base_ref, Path(scratch))
    before = Version(label, earlier.policy_set, tuple(earlier.waivers.values()))
    after = Version(str(roots[-1]) if catalogs else "the current catalog", current.policy_set,
                    tuple(current.waivers.values()))
    report = prove_all(before, after, parse_as_of(as_of), timeout_s)
    if witness_dir is not None:
        with writing(witness_dir, "--witness-dir"):
            write_witnesses(report, before, after, witness_dir)
    shown_dir = str(witness_dir) if witness_dir is not None else "WITNESS_DIR"
    write_output([PROOF_FORMATS[format_name](report, shown_dir)], output_path, False)
    sys.exit(prove_exit(report, fail_on))


def prove_exit(report: Any, gates: Sequence[str]) -> int:
    """0 unless a --fail-on question is answered yes or possibly (1), or the solver gave up on
    one (3: never a pass)."""
    replies = {a.question: a.reply for a in report.answers}
    failing = {"more-permissive": replies["more-permissive"] in ("yes", "possibly"),
               "more-restrictive": replies["more-restrictive"] in ("yes", "possibly"),
               "change": replies["equivalent"] in ("no", "possibly not"),
               "lint": bool(report.lint)}
    gave_up = {"more-permissive": replies["more-permissive"] == "unknown",
               "more-restrictive": replies["more-restrictive"] == "unknown",
               "change": replies["equivalent"] == "unknown", "lint": False}
    if any(gave_up[g] for g in gates):
        return EXIT_ENGINE
    return EXIT_DISALLOW if any(failing[g] for g in gates) else EXIT_OK


@main.group()
def bundle() -> None:
    """OPA bundles of the policy set (see docs/opa.md)."""


@bundle.command("build")
@click.option("-o", "--output", "output_path", default="bundle.tar.gz", show_default=True,
              metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@catalog_option
def bundle_build(output_path: Path, catalogs: tuple[Path, ...]) -> None:
    """Build an OPA bundle: `opa run --server --bundle FILE` serves data.govern.decision."""
    from govern.rego.bundle import build_bundle

    catalog = open_catalog(catalogs)
    content = build_bundle(catalog)  # built in full before the file is opened
    with writing(output_path, "--output"):
        output_path.write_bytes(content)
    click.echo(f"wrote {output_path} (revision {catalog.policy_set.digest})")


@main.group("import")
def import_group() -> None:
    """Draft records from other formats of model metadata."""


@import_group.command("hf")
@click.argument("readme", metavar="README.md", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "card_id", metavar="ID",
              help="Card id (default: the -o file's name, else the model's name, lowercased).")
@click.option("-o", "--output", "output_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write the card to FILE (named ID.yaml) instead of stdout.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="The card's as_of date (default: today).")
def import_hf(readme: Path, card_id: str | None, output_path: Path | None,
              as_of: str | None) -> None:
    """A model card from a Hugging Face README.md's metadata (a local file; no network).

    Licence (as SPDX), base_model, model-index results and the card as a source are mapped;
    every fact the card does not state is left unknown, with a comment saying so."""
    from govern.importing.hf import import_hf_card
    from govern.loading.yaml_source import display_path

    date = parse_as_of(as_of)
    if output_path is not None and card_id not in (None, output_path.stem):
        raise InputError(Problem("-", None, None, "--output",
                                 f"a card file is named after its id: {card_id}.yaml"))
    if card_id is None and output_path is not None:
        card_id = output_path.stem
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(Problem(display_path(readme), None, None, "README.md",
                                 f"cannot read: {getattr(e, 'strerror', None) or e}")) from e
    card = import_hf_card(text, display_path(readme), card_id, date)  # whole before writing
    if output_path is None:
        click.echo(card, nl=False)
        return
    with writing(output_path, "--output"):
        output_path.write_text(card, encoding="utf-8")
    click.echo(f"wrote {output_path}", err=True)


@main.group()
def export() -> None:
    """Export the policy set in other languages, for reading."""


@export.command("rego")
@click.argument("directory", default="rego", type=click.Path(file_okay=False, path_type=Path))
@catalog_option
def export_rego_command(directory: Path, catalogs: tuple[Path, ...]) -> None:
    """Write the Rego modules, data.json and .manifest of the bundle into DIRECTORY."""
    from govern.rego.bundle import export_rego

    catalog = open_catalog(catalogs)
    with writing(directory, "DIRECTORY"):
        written = export_rego(catalog, directory)
    for path in written:
        click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
