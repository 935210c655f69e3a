"""Licences as SPDX expressions, approved along the lineage (base_model) of a model.

What a user relies on: a licence is read and spelt as SPDX spells it, a misspelt one is refused
where it stands, an expression is approved as its operators say, a fine-tune is bound by its
bases' licences, a base nobody recorded fails closed, and a cycle is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govern.licences import normal_form, normalise
from govern.lineage import Lineage, LineageLicence, license_approved, lineage_licenses
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from tests.support import REPO, RunLine, line_of

GLM = (REPO / "model_cards" / "glm-5.2.yaml").read_text()


def card_text(card_id: str, license: str | None, bases: list[str] | None = None) -> str:
    """GLM-5.2's card under another id, licence and bases (YAML as a team would write it)."""
    text = GLM.replace("id: glm-5.2", f"id: {card_id}")
    text = re.sub(r"^license: .*$", f"license: {license}" if license else "", text,
                  flags=re.MULTILINE)
    if bases is not None:
        text += f"base_model: [{', '.join(bases)}]\n"
    return text


def team(tmp_path: Path, **cards: str) -> Path:
    (tmp_path / "model_cards").mkdir(exist_ok=True)
    for card_id, text in cards.items():
        (tmp_path / "model_cards" / f"{card_id}.yaml").write_text(text)
    return tmp_path


def self_host(run_line: RunLine, catalog: Path, model: str,
              as_of: str = "2026-11-23") -> dict[str, object]:
    result = run_line(["evaluate", "--catalog", str(catalog), "--model", model, "--task",
                       "refactoring", "--as-of", as_of, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    decision = json.loads(result.stdout)
    option: dict[str, object] = next(o for o in decision["options"]
                                     if o["deployment"] == "self-host")
    return option


def findings(option: dict[str, object]) -> dict[str, dict[str, object]]:
    return {f["rule"]: f for f in option["findings"]}  # type: ignore[attr-defined]


# ---------------------------------------------------------------- reading licences


@pytest.mark.parametrize(("written", "read"), [
    ("apache-2.0", "Apache-2.0"),
    ("mit OR Apache-2.0", "MIT OR Apache-2.0"),
    ("(mit or apache-2.0) and bsd-3-clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"),
    ("gpl-2.0-or-later with classpath-exception-2.0",
     "GPL-2.0-or-later WITH Classpath-exception-2.0"),
    ("licenseref-llama3", "LicenseRef-llama3"),
    ("Proprietary", "proprietary"),
    ("GPL-2.0", "GPL-2.0-only"),  # the SPDX list's deprecated id, read as its successor
])
def test_a_licence_is_read_as_spdx_spells_it(written: str, read: str) -> None:
    assert normalise(written) == read


def test_a_team_card_licence_is_normalised_and_approved(tmp_path: Path,
                                                        run_line: RunLine) -> None:
    catalog = team(tmp_path, **{"glm-hf": card_text("glm-hf", "apache-2.0")})
    assert load_catalog([bundled_root(), catalog]).models["glm-hf"].license == "Apache-2.0"
    option = self_host(run_line, catalog, "glm-hf")
    assert "licence.self-host-licence-not-approved" not in findings(option)


def test_a_misspelt_licence_is_refused_where_it_stands_with_a_suggestion(
        tmp_path: Path, run_line: RunLine) -> None:
    text = card_text("glm-typo", "MITT")
    catalog = team(tmp_path, **{"glm-typo": text})
    result = run_line(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    line = line_of(text, "license: MITT")
    assert re.search(rf"glm-typo\.yaml:{line}:1: license: unknown SPDX licence id 'MITT' "
                     r"\(did you mean 'MIT'\?\)", result.output), result.output


@pytest.mark.parametrize("written", ["MIT AND", "MIT Apache-2.0", "(MIT", "Apache-2.0 WITH MIT",
                                     "MIT OR (Apache-2.0", "", "a licence", "MIT WITH foo"])
def test_text_that_is_no_spdx_expression_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        normalise(written)


def test_an_expression_too_many_alternatives_long_is_refused() -> None:
    clause = "(MIT OR Apache-2.0 OR BSD-3-Clause OR ISC)"
    with pytest.raises(ValueError, match="alternatives"):
        normalise(" AND ".join([clause.replace("ISC", f"LicenseRef-{i}") for i in range(4)]))


def test_a_profile_approved_list_is_normalised_and_takes_single_licences(
        tmp_path: Path, run_line: RunLine) -> None:
    text = (REPO / "profiles" / "eu-regulated-enterprise.yaml").read_text()
    text = re.sub(r"approved_licenses: .*", "approved_licenses: [mit, MIT OR Apache-2.0]", text)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "eu-regulated-enterprise.yaml").write_text(text)
    result = run_line(["validate", "--catalog", str(tmp_path)])
    assert result.exit_code == 2
    assert re.search(r"approved_licenses\[1\]: 'MIT OR Apache-2.0' is an expression; list each "
                     "approved licence on its own", result.output), result.output


def test_the_loader_computes_the_lineage_a_card_may_not_write_it(
        tmp_path: Path, run_line: RunLine) -> None:
    catalog = team(tmp_path, x=card_text("x", "MIT") + "lineage: {licenses: [], "
                                                        "missing_bases: []}\n")
    result = run_line(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert "lineage: govern computes this key" in result.output


# ---------------------------------------------------------------- approval


def chain(*licences: str | None, missing: list[str] | None = None) -> Lineage:
    return Lineage(licenses=[LineageLicence(model=f"m{i}", license=lic,
                                            normal_form=normal_form(lic) if lic else None)
                             for i, lic in enumerate(licences)],
                   missing_bases=[] if missing is None else missing)


@pytest.mark.parametrize(("licences", "approved", "expected"), [
    (["MIT OR GPL-3.0-only"], ["MIT"], True),            # OR: either alternative will do
    (["MIT AND GPL-3.0-only"], ["MIT"], False),          # AND: both
    (["MIT AND GPL-3.0-only"], ["MIT", "GPL-3.0-only"], True),
    (["(MIT OR GPL-3.0-only) AND Apache-2.0"], ["GPL-3.0-only", "Apache-2.0"], True),
    (["GPL-2.0-or-later WITH Classpath-exception-2.0"], ["GPL-2.0-or-later"], True),
    (["GPL-2.0-or-later WITH Classpath-exception-2.0"],
     ["GPL-2.0-or-later WITH Classpath-exception-2.0"], True),
    (["GPL-2.0-or-later"], ["GPL-2.0-or-later WITH Classpath-exception-2.0"], False),
    (["LicenseRef-llama3"], ["LicenseRef-llama3"], True),
    (["proprietary"], ["MIT"], False),
    (["MIT", "Apache-2.0"], ["MIT"], False),             # a fine-tune of an Apache-2.0 base
    (["MIT", "Apache-2.0"], ["MIT", "Apache-2.0"], True),
    (["MIT", None], ["MIT"], None),                      # a base's licence unknown
    (["LicenseRef-x", None], ["MIT"], False),            # one known licence already fails
    (["MIT"], [], False),                                # a profile that approves nothing
])
def test_approval_follows_the_operators_along_the_whole_chain(
        licences: list[str | None], approved: list[str], expected: bool | None) -> None:
    assert license_approved(chain(*licences), approved) is expected


def test_a_missing_base_makes_the_lineage_unknown() -> None:
    lineage = chain("MIT", missing=["ghost"])
    assert lineage_licenses(lineage) is None
    assert license_approved(lineage, ["MIT"]) is None


# ---------------------------------------------------------------- lineage through the loader


def test_a_fine_tune_is_bound_by_its_bases_licence(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team(tmp_path, base=card_text("base", "LicenseRef-community"),
                   tune=card_text("tune", "MIT", ["base"]))
    loaded = load_catalog([bundled_root(), catalog]).models["tune"]
    assert loaded.lineage is not None
    assert [e.license for e in loaded.lineage.licenses] == ["MIT", "LicenseRef-community"]
    option = self_host(run_line, catalog, "tune")
    assert option["verdict"] == "denied"
    message = findings(option)["licence.self-host-licence-not-approved"]["message"]
    assert "along its lineage: MIT, LicenseRef-community" in str(message)


def test_a_fine_tune_of_an_approved_base_passes(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team(tmp_path, tune=card_text("tune", "Apache-2.0", ["glm-5.2"]))
    option = self_host(run_line, catalog, "tune")
    assert not {"licence.self-host-licence-not-approved",
                "licence.base-model-missing"} & findings(option).keys()


def test_a_missing_base_fails_closed_and_is_named(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team(tmp_path, tune=card_text("tune", "MIT", ["glm-5.2", "llama-3.1-8b"]))
    option = self_host(run_line, catalog, "tune")
    assert option["verdict"] == "denied"
    found = findings(option)
    assert "derives from llama-3.1-8b, which no model card" in str(
        found["licence.base-model-missing"]["message"])
    # the missing base is that rule's to deny: the licence rule judges complete lineages
    assert "licence.self-host-licence-not-approved" not in found


def test_a_dated_licence_follows_the_date_on_the_card_and_along_a_lineage(
        tmp_path: Path, run_line: RunLine) -> None:
    """A dated licence is the one in force on the decision date, on its own card and for
    every model derived from it; before its first date the undated licence holds, and a base
    that gives no undated licence is unknown there (fails closed)."""
    dated = ('dated_values:\n  - fact: license\n    since: "2026-09-01"\n'
             '    value: LicenseRef-community\n')
    catalog = team(tmp_path, base=card_text("base", "MIT") + dated,
                   tune=card_text("tune", "MIT", ["base"]),
                   later=card_text("later", None) + dated.replace("2026-09-01", "2026-10-01"),
                   tune2=card_text("tune2", "MIT", ["later"]))
    community = "LicenseRef-community"
    for model, says in (("base", f"licensed {community} (along its lineage: {community})"),
                        ("tune", f"licensed MIT (along its lineage: MIT, {community})")):
        option = self_host(run_line, catalog, model)  # as of 2026-11-23: the community licence
        assert option["verdict"] == "denied"
        assert says in str(findings(option)["licence.self-host-licence-not-approved"]["message"])
    before = self_host(run_line, catalog, "tune", "2026-08-31")  # MIT along the lineage
    assert "licence.self-host-licence-not-approved" not in findings(before)
    unknown = self_host(run_line, catalog, "tune2", "2026-09-15")  # 'later' has no licence yet
    assert findings(unknown)["licence.self-host-licence-not-approved"]["unknown_facts"] == [
        "derived.license_approved"]
    assert unknown["verdict"] == "denied"


def test_a_base_model_cycle_is_refused_naming_the_files(tmp_path: Path,
                                                         run_line: RunLine) -> None:
    catalog = team(tmp_path, a=card_text("a", "MIT", ["b"]), b=card_text("b", "MIT", ["c"]),
                   c=card_text("c", "MIT", ["a"]), d=card_text("d", "MIT", ["a"]))
    result = run_line(["evaluate", "--catalog", str(catalog), "--model", "d", "--task",
                       "refactoring"])
    assert result.exit_code == 2 and result.stdout == ""
    for name in "abc":
        assert re.search(rf"{name}\.yaml:\d+:\d+: base_model: base_model cycle a -> b -> c -> a",
                         result.stderr), result.stderr
    assert "d.yaml" not in result.stderr  # on the way to the cycle, not on it
    assert re.search(r"files: \S*a\.yaml, \S*b\.yaml, \S*c\.yaml", result.stderr)


def test_a_card_naming_itself_as_its_base_is_refused(tmp_path: Path,
                                                      run_line: RunLine) -> None:
    catalog = team(tmp_path, a=card_text("a", "MIT", ["a"]))
    result = run_line(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert "base_model: base_model names the card itself ('a')" in result.output


def test_the_ml_bom_carries_an_expression_as_an_spdx_expression(catalog: Catalog) -> None:
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression

    from govern.formats.cyclonedx import _licence

    glm = catalog.models["glm-5.2"]
    (expression,) = _licence(glm.model_copy(update={"license": "MIT OR Apache-2.0"}))
    assert isinstance(expression, LicenseExpression) and expression.value == "MIT OR Apache-2.0"
    (single,) = _licence(glm)
    assert isinstance(single, DisjunctiveLicense) and single.id == "MIT"


# ---------------------------------------------------------------- the shipped id list


def test_the_shipped_id_list_is_the_installed_librarys() -> None:
    from govern.licences import SPDX_IDS_FILE, known_ids_from_library

    shipped = (REPO / "engine" / SPDX_IDS_FILE).read_text().splitlines()
    assert shipped == [f"{kind} {key}" for kind, key in known_ids_from_library()], (
        "run 'python -m govern.licences' to regenerate the list")


def test_a_plain_id_reads_the_same_from_the_list_as_through_the_library() -> None:
    # The list is a shortcut for the common case (one id), never a second reading of it.
    from govern.licences import _known, _parsed_by_library, _plain_id

    for key in _known()[0].values():
        for written in (key, key.lower(), key.upper()):
            plain = _plain_id(written)
            assert _parsed_by_library(written, written) == (
                plain, [[{"license": plain, "exception": None}]]), written
