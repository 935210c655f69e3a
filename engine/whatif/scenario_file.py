"""Reading a scenario file: the safe YAML loader and staged validation every record gets, then
its ids looked up in the catalog; every problem is reported at ``file:line:col: key``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govern.errors import InputError, Problem
from govern.loading.catalog import Catalog
from govern.loading.validation import validate_record
from govern.loading.yaml_source import LoadedYaml, YamlPath, display_path, read_yaml_file
from govern.whatif.scenario import Scenario, SuspendEvent


@dataclass(frozen=True)
class ScenarioFile:
    path: Path
    scenario: Scenario
    loaded: LoadedYaml


def read_scenario(path: Path) -> ScenarioFile:
    """A validated scenario, or ``InputError`` with every problem, located."""
    shown = display_path(path)
    if not path.is_file():
        raise InputError(Problem(shown, None, None, "-", "scenario file not found"))
    loaded = read_yaml_file(path, shown)
    scenario, problems = validate_record(loaded, Scenario)
    if problems:
        raise InputError(problems)
    return ScenarioFile(path, scenario, loaded)


def check_ids(where: ScenarioFile, catalog: Catalog) -> None:
    """Every model, provider, vendor and profile an event names exists in the catalog; all
    unknown ones are reported together, each at its own line."""
    problems: list[Problem] = []

    def unknown(path: YamlPath, message: str) -> None:
        problems.append(where.loaded.problem(path, message))

    vendors = {m.vendor.name for m in catalog.models.values()}
    for index, event in enumerate(where.scenario.events):
        at: YamlPath = ("events", index)
        model_id = getattr(event, "model", None)
        if model_id is not None and model_id not in catalog.models:
            unknown((*at, "model"), f"unknown model '{model_id}'; 'govern list models' "
                                    "shows them")
        elif model_id is not None and hasattr(event, "provider"):
            providers = [o.provider for o in catalog.models[model_id].api_offerings]
            if event.provider not in providers:
                unknown((*at, "provider"), f"{model_id} has no API offering by "
                                           f"'{event.provider}' (it has: "
                                           f"{', '.join(providers) or 'none'})")
        profile_id = getattr(event, "profile", None)
        if profile_id is not None and profile_id not in catalog.profiles:
            unknown((*at, "profile"), f"unknown profile '{profile_id}'; 'govern list "
                                      "profiles' shows them")
        if isinstance(event, SuspendEvent) and event.vendor is not None \
                and event.vendor not in vendors:
            known = ", ".join(sorted(v for v in vendors if v))
            unknown((*at, "vendor"), f"no model card names vendor '{event.vendor}' "
                                     f"(vendors: {known})")
    if problems:
        raise InputError(problems)
