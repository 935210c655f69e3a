"""What a compliance officer's editor shows, from the real yaml-language-server (VS Code's YAML
extension) reading govern's records through their ``# yaml-language-server: $schema=`` lines.

The schema is found only through the modeline (no ``yaml.schemas`` setting, no schema store),
so a diagnostic about an unknown key proves the modeline resolved to govern's schema.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govern.team_catalog import MODELINE_PREFIX, STARTER_FOLDERS
from tests.editors.language_server import SETTINGS, LanguageServer
from tests.support import REPO, line_of, run_govern

BUNDLED = sorted(p.relative_to(REPO).as_posix() for folder in STARTER_FOLDERS
                 for p in (REPO / folder).glob("*.yaml"))


def test_every_bundled_record_names_its_schema_in_its_first_line() -> None:
    for name in BUNDLED:
        first = (REPO / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(MODELINE_PREFIX), name
        schema = (REPO / name).parent / first.removeprefix(MODELINE_PREFIX)
        assert schema.resolve().is_file(), f"{name}: {first} does not resolve"


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_record_has_no_diagnostics(language_server: LanguageServer,
                                             name: str) -> None:
    uri = language_server.open(REPO / name)
    try:
        assert language_server.settled_diagnostics(uri) == []
    finally:
        language_server.close(uri)


def _diagnostics_with(server: LanguageServer, path: Path, text: str) -> list[dict[str, object]]:
    uri = server.open(path, text)
    try:
        return server.settled_diagnostics(uri)
    finally:
        server.close(uri)


def test_a_typo_in_a_key_gets_a_diagnostic_on_its_line(language_server: LanguageServer) -> None:
    path = REPO / "policies" / "licence.yaml"
    text = path.read_text(encoding="utf-8").replace("    effect:", "    efect:", 1)
    found = _diagnostics_with(language_server, path, text)
    line = line_of(text, "    efect:") - 1  # the protocol counts lines from 0
    assert any(d["range"]["start"]["line"] == line and "efect" in str(d["message"])  # type: ignore[index]
               for d in found), found


def test_completion_after_effect_offers_the_three_effects(language_server: LanguageServer
                                                          ) -> None:
    path = REPO / "policies" / "licence.yaml"
    original = path.read_text(encoding="utf-8")
    effect_line = next(ln for ln in original.splitlines() if ln.startswith("    effect: "))
    text = original.replace(effect_line, "    effect: ", 1)
    uri = language_server.open(path, text)
    try:
        labels = language_server.completion_labels(uri, line_of(text, "    effect: ") - 1,
                                                    len("    effect: "))
    finally:
        language_server.close(uri)
    assert {"deny", "require", "warn"} <= set(labels), labels
    assert "null" not in labels


def test_records_copied_by_init_resolve_their_schemas(language_server: LanguageServer,
                                                      tmp_path: Path) -> None:
    team = tmp_path / "team"
    assert run_govern(["init", str(team)]).exit_code == 0
    copied = sorted(p for folder in STARTER_FOLDERS for p in (team / folder).glob("*.yaml"))
    assert len(copied) == len(BUNDLED)
    first_of_each_folder = [min((team / folder).glob("*.yaml")) for folder in STARTER_FOLDERS]
    for path in first_of_each_folder:
        assert _diagnostics_with(language_server, path, path.read_text()) == [], path
    # ... and the schema there is what catches a typo in a copied record
    policy = team / "policies" / "licence.yaml"
    text = policy.read_text(encoding="utf-8").replace("    severity:", "    severty:", 1)
    assert any("severty" in str(d["message"])
               for d in _diagnostics_with(language_server, policy, text))


def test_the_documented_vs_code_setting_maps_files_without_a_modeline(
        server_command: list[str], tmp_path: Path) -> None:
    # The `yaml.schemas` block of docs/writing-policies.md, as a user pastes it into
    # .vscode/settings.json of a workspace holding my-catalog/.
    guide = (REPO / "docs" / "writing-policies.md").read_text(encoding="utf-8")
    block = guide.split('```json\n{\n  "yaml.schemas"', 1)[1].split("```", 1)[0]
    documented = json.loads('{"yaml.schemas"' + block)["yaml.schemas"]
    assert run_govern(["init", str(tmp_path / "my-catalog")]).exit_code == 0
    policy = tmp_path / "my-catalog" / "policies" / "licence.yaml"
    without_modeline = policy.read_text(encoding="utf-8").split("\n", 1)[1]
    assert MODELINE_PREFIX not in without_modeline
    typo = without_modeline.replace("    effect:", "    efect:", 1)
    with LanguageServer(server_command, tmp_path) as server:
        assert _diagnostics_with(server, policy, typo) == []  # no schema yet: nothing to say
        server.configure({"yaml": {**SETTINGS["yaml"], "schemas": documented}})
        found = _diagnostics_with(server, policy, typo)
        assert any("efect" in str(d["message"]) for d in found), found
        assert _diagnostics_with(server, policy, without_modeline) == []
