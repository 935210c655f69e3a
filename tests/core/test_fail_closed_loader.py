"""Each class of input that used to slip through as an allow, refused at its root: exit 2 with
file:line:col, the key, and what was read; never a decision.

The hostile-input suite (tests/hostile/) generates hundreds of mutants of these classes; the
tests here show one readable example of each.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govern.core import build_options
from govern.facts import read_facts
from govern.loading.catalog import Catalog
from govern.loading.yaml_source import display_path
from govern.records import Profile
from tests.support import REPO, RunLine, line_of

pytestmark = pytest.mark.usefixtures("each_yaml_composer")
"""Every refusal holds with each YAML composer (libyaml's and the pure-Python one)."""


def refused(result, *patterns: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stdout == "", "nothing may be decided or printed on stdout"
    for pattern in patterns:
        assert re.search(pattern, result.stderr), f"{pattern!r} not in:\n{result.stderr}"
    return str(result.stderr)


def team_profile(tmp_path: Path, memory: str = "1280", jurisdictions: str = "[EU]") -> Path:
    """A team catalog with a copy of the default profile, its capacity and source-code hosts
    written as given (YAML source text, so every YAML form can be tried)."""
    text = (REPO / "profiles" / "eu-regulated-enterprise.yaml").read_text()
    text = re.sub(r"accelerator_memory_gb: \S+", f"accelerator_memory_gb: {memory}", text)
    text = re.sub(r"(source_code: +\{host_jurisdictions: )\[[^\]]*\]",
                  lambda m: m.group(1) + jurisdictions, text)
    assert jurisdictions == "[EU]" or jurisdictions in text
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / "eu-regulated-enterprise.yaml").write_text(text)
    return tmp_path


def evaluate(run_line: RunLine, catalog: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_line(["evaluate", "--catalog", str(catalog), "--model", "glm-5.2",
                     "--task", "refactoring", "--as-of", "2026-11-23", *args])


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(("written", "what"), [
    ("0700", r"0700 is an octal number in YAML 1\.1.*would read 448"),
    ("10:40", r"10:40 is a sexagesimal \(base 60\) number.*would read 640"),
    ("0x1F", r"0x1F is a hexadecimal number.*would read 31"),
    ("1_280", r"1_280 is written with digit separators"),
    (".nan", r"\.nan is not-a-number \(NaN\)"),
    (".inf", r"\.inf is infinite"),
    ("-.inf", r"-\.inf is infinite"),
    ("+1280", r"\+1280 is written with a plus sign"),
    ("1.0e+3", r"1\.0e\+3 is written with an exponent"),
    ("1" + "0" * 30, r"1000+\.\.\.\(31 digits\) is out of range"),
])
def test_numbers_other_than_plain_decimals_are_refused(tmp_path: Path, run_line: RunLine,
                                                       written: str, what: str) -> None:
    catalog = team_profile(tmp_path, memory=written)
    refused(evaluate(run_line, catalog),
            r"profiles/eu-regulated-enterprise\.yaml:\d+:\d+: "
            r"self_host\.accelerator_memory_gb: " + what)


def test_plain_decimals_are_read_as_written(tmp_path: Path, run_line: RunLine) -> None:
    for written in ("1280", "1280.0", "753.5"):
        result = evaluate(run_line, team_profile(tmp_path, memory=written))
        assert result.exit_code == 0, result.stderr
    short = evaluate(run_line, team_profile(tmp_path, memory="700"))
    assert short.exit_code == 1 and "short by at least 53 GB" in short.stdout


def test_a_nan_operand_in_a_policy_is_refused_not_a_rule_that_never_fires(
        tmp_path: Path, run_line: RunLine) -> None:
    text = (REPO / "policies" / "self-host-capacity.yaml").read_text()
    assert "gt: 0" in text
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "self-host-capacity.yaml").write_text(
        text.replace("gt: 0", "gt: .nan"))
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            r"self-host-capacity\.yaml:\d+:\d+: rules\[0\]\.when\.gt: \.nan is not-a-number")


# ---------------------------------------------------------------- booleans


def test_norway_is_not_false(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_profile(tmp_path, jurisdictions="[EU, NO]")
    refused(evaluate(run_line, catalog),
            r"eu-regulated-enterprise\.yaml:\d+:\d+: "
            r"data_classes\.source_code\.host_jurisdictions\[1\]: YAML 1\.1 reads 'NO' as the "
            r"boolean false; govern takes only true or false as booleans: write false, or "
            r"quote it \('NO'\)")


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "OFF", "NO"])
def test_yaml11_boolean_words_are_refused_where_a_boolean_is_expected(
        tmp_path: Path, run_line: RunLine, word: str) -> None:
    text = (REPO / "tasks" / "refactoring.yaml").read_text()
    assert "business_critical: false" in text
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "refactoring.yaml").write_text(
        text.replace("business_critical: false", f"business_critical: {word}"))
    refused(evaluate(run_line, tmp_path),
            rf"refactoring\.yaml:\d+:\d+: business_critical: YAML 1\.1 reads '{word}' as the "
            r"boolean")


def test_booleans_and_numbers_where_text_is_expected_say_how_to_quote(
        tmp_path: Path, run_line: RunLine) -> None:
    text = (REPO / "tasks" / "refactoring.yaml").read_text()
    text = re.sub(r"^name: .*$", "name: true", text, flags=re.MULTILINE)
    text = re.sub(r"^description: .*$", "description: 1.0", text, flags=re.MULTILINE)
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "refactoring.yaml").write_text(text)
    refused(evaluate(run_line, tmp_path),
            r"refactoring\.yaml:\d+:1: name: YAML read true as a boolean, not text; quote it "
            r"\('true'\)",
            r"refactoring\.yaml:\d+:1: description: YAML read 1\.0 as a number, not text; "
            r"quote it \('1\.0'\)")


# ---------------------------------------------------------------- nulls where absence means


@pytest.mark.parametrize(("original", "with_null", "key"), [
    ("    when:\n", "    when: null\n    old_when:\n", r"rules\[0\]\.when"),
])
def test_a_null_condition_is_refused_not_a_rule_that_always_fires(
        tmp_path: Path, run_line: RunLine, original: str, with_null: str, key: str) -> None:
    text = (REPO / "policies" / "licence.yaml").read_text()
    assert original in text
    # Replace the first rule's condition by null, keeping the file otherwise valid YAML.
    first = text.index(original)
    end = text.index("    message:", first)
    text = text[:first] + "    when: null\n" + text[end:]
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "licence.yaml").write_text(text)
    refused(evaluate(run_line, tmp_path),
            rf"licence\.yaml:\d+:\d+: {key}: null is not a value here: leave the key out "
            r"\(absent, it means the rule always fires\)")


@pytest.mark.parametrize(("kind", "text", "key"), [
    ("waivers", ("id: w\nrule: licence.licence-not-approved\nscope: {model: null}\n"
                 "owner: a@b.c\nreason: r\nreference: T-1\nexpires: 2027-01-01\n"),
     r"scope\.model"),
    ("policies", None, r"rules\[0\]\.applies_to\.deployments"),
])
def test_nulls_that_would_widen_a_waiver_or_a_rule_are_refused(
        tmp_path: Path, run_line: RunLine, kind: str, text: str | None, key: str) -> None:
    if text is None:
        text = (REPO / "policies" / "licence.yaml").read_text()
        text = re.sub(r"deployments: \[[^\]]*\]", "deployments: null", text, count=1)
        name = "licence.yaml"
    else:
        name = "w.yaml"
    (tmp_path / kind).mkdir()
    (tmp_path / kind / name).write_text(text)
    refused(evaluate(run_line, tmp_path), rf"{key}: null is not a value here")


def test_a_null_fact_on_a_model_card_means_unknown(tmp_path: Path, run_line: RunLine) -> None:
    text = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "glm-5.2.yaml").write_text(
        re.sub(r"^license: .*$", "license: null", text, flags=re.MULTILINE))
    result = evaluate(run_line, tmp_path)
    assert result.exit_code == 1
    assert "insufficient evidence: derived.license_approved unknown" in result.stdout


# ---------------------------------------------------------------- files govern would not read


def test_every_file_govern_would_not_read_is_named(tmp_path: Path, run_line: RunLine) -> None:
    licence = (REPO / "policies" / "licence.yaml").read_text()
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "deny-all.yaml").write_text(licence)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deny-all.YAML").write_text(licence)
    (tmp_path / "policies" / "notes.txt").write_text("x")
    (tmp_path / "policies" / "nested").mkdir()
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "tasks" / "outside.yaml").symlink_to(REPO / "tasks" / "refactoring.yaml")
    (tmp_path / "tasks" / "loop.yaml").symlink_to(tmp_path / "tasks" / "loop.yaml")
    (tmp_path / "profiles.yaml").write_text("x: 1")
    # What the docs allow: README files and dotfiles, at the root and in folders.
    (tmp_path / "README.md").write_text("# team catalog")
    (tmp_path / ".gitignore").write_text("")
    (tmp_path / "policies" / "README.md").write_text("rules")
    expected = [
        r"/policy: -: govern does not read this folder \(did you mean policies/\?\)",
        r"/policies/deny-all\.YAML: -: the extension must be lower-case \.yaml or \.yml",
        r"/policies/notes\.txt: -: govern reads only \.yaml and \.yml files",
        r"/policies/nested: -: a folder inside policies/",
        r"/tasks/gone\.yaml: -: broken symlink",
        r"/tasks/outside\.yaml: -: symlink points outside the catalog",
        r"/tasks/loop\.yaml: -: symlink loop",
        r"/profiles\.yaml: -: govern does not read this file",
    ]
    validate = run_line(["validate", str(tmp_path)])
    assert validate.exit_code == 2
    for pattern in expected:
        assert re.search(pattern, validate.stdout), f"{pattern!r} not in {validate.stdout}"
    assert len(validate.stdout.splitlines()) == len(expected), "README and dotfiles are fine"
    refused(evaluate(run_line, tmp_path), *expected)
    (tmp_path / "govern.yaml").write_text(
        f"catalog: [{tmp_path}]\nuses:\n  - model: glm-5.2\n    tasks: [refactoring]\n"
        "    deployment: self-host\n")
    refused(run_line(["check", "--manifest", str(tmp_path / "govern.yaml")]), expected[0])


def test_symlinks_inside_the_catalog_are_followed(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "policies").mkdir()
    source = (REPO / "policies" / "licence.yaml").read_text()
    (tmp_path / "policies" / "licence.yaml").write_text(source)
    (tmp_path / "tasks").mkdir()
    task = (REPO / "tasks" / "refactoring.yaml").read_text().replace(
        "id: refactoring", "id: linked")
    (tmp_path / "tasks" / "real.yaml").write_text(task.replace("id: linked", "id: real"))
    (tmp_path / "tasks" / "linked.yaml").symlink_to(tmp_path / "tasks" / "real.yaml")
    validate = run_line(["validate", str(tmp_path)])
    id_line = line_of(task, "id: linked")
    assert validate.stdout.endswith(f"linked.yaml:{id_line}:1: id: id 'real' must match the "
                                    "file name 'linked.yaml'\n"), "the symlink was followed and read"
    assert len(validate.stdout.splitlines()) == 1


def test_y_and_n_are_text_and_so_not_booleans(tmp_path: Path, run_line: RunLine) -> None:
    """PyYAML reads y and n as text (unlike the YAML 1.1 spec): refused as a boolean all the
    same, saying what was read."""
    text = (REPO / "tasks" / "refactoring.yaml").read_text()
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "refactoring.yaml").write_text(
        text.replace("business_critical: false", "business_critical: n"))
    refused(evaluate(run_line, tmp_path),
            r"business_critical: expected true or false without quotes, got the text 'n'")


def test_a_flat_folder_of_loose_records_refuses_what_it_would_skip(
        tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "licence.yaml").write_text((REPO / "policies" / "licence.yaml").read_text())
    (tmp_path / "deny-all.Yml").write_text("x")
    result = run_line(["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "deny-all.Yml: -: the extension must be lower-case" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_line(["validate", str(empty)]).exit_code == 2


def test_policy_test_folders_follow_the_same_rules(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "cases.YAML").write_text("cases: []")
    refused(run_line(["test", str(tmp_path)]), r"cases\.YAML: -: the extension must be")


# ---------------------------------------------------------------- structure


def test_deep_nesting_is_bad_input_naming_the_file(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "policies").mkdir()
    deep = tmp_path / "policies" / "deep.yaml"
    deep.write_text("[" * 5000 + "]" * 5000 + "\n")
    assert deep.stat().st_size == 10_001
    refused(evaluate(run_line, tmp_path), r"policies/deep\.yaml:1:129: -: nested more than 64 levels")
    nested = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 80))
    deep.write_text(nested)
    refused(evaluate(run_line, tmp_path), r"deep\.yaml:\d+:\d+: a(\[0\])+: nested more than 64")


# ---------------------------------------------------------------- flags and streams


@pytest.mark.parametrize(("value", "message"), [
    ("2026-02-30", "2026-02-30 is not a date: February 2026 has 28 days"),
    ("2028-02-30", "2028-02-30 is not a date: February 2028 has 29 days"),
    ("2026-13-01", "2026-13-01 is not a date: there is no month 13"),
    ("2026-04-31", "2026-04-31 is not a date: April 2026 has 30 days"),
    ("26-1-1", "expected a date as YYYY-MM-DD, got '26-1-1'"),
])
def test_as_of_says_whether_the_day_or_the_format_is_wrong(run_line: RunLine, value: str,
                                                           message: str) -> None:
    result = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                       "--as-of", value])
    refused(result, re.escape(f"--as-of: {message}"))


def test_a_record_date_that_does_not_exist_reads_the_same(tmp_path: Path,
                                                          run_line: RunLine) -> None:
    text = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "glm-5.2.yaml").write_text(
        re.sub(r"^as_of: .*$", "as_of: 2026-02-30", text, flags=re.MULTILINE))
    refused(evaluate(run_line, tmp_path),
            r"glm-5\.2\.yaml:\d+:\d+: as_of: 2026-02-30 is not a date: February 2026 has 28")


@pytest.mark.parametrize("args", [["list", "facts"],
                                  ["evaluate", "--model", "glm-5.2", "--task", "refactoring"]])
def test_a_closed_pipe_is_no_error_and_no_engine_failure(args: list[str]) -> None:
    """`govern list facts | head -1`: the reader has gone; govern must go quietly. The pipe's
    read end is closed before govern starts, so every write fails, whatever the timing."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "govern", *args], stdout=write_end,
                              stderr=subprocess.PIPE, timeout=60, check=False)
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode == 1, "a lost output exits non-zero (1), never 3 and never 0"


# ---------------------------------------------------------------- derived numbers


def test_a_derived_number_that_is_not_finite_is_unknown(catalog: Catalog) -> None:
    """Records refuse non-finite numbers, so no file can produce one; built in code, a
    capacity of 1.7e308 and a need of -1.7e308 would overflow the shortfall to -inf."""
    model = catalog.models["glm-5.2"]
    profile = catalog.profiles["eu-regulated-enterprise"]
    huge = profile.model_copy(update={"self_host": profile.self_host.model_copy(
        update={"accelerator_memory_gb": 1.7e308})})
    (self_host,) = [o for o in build_options(model, huge) if o.deployment == "self-host"]
    needing = self_host.model_copy(update={"accelerator_memory_gb": -1.7e308})
    facts = read_facts(model, needing, catalog.tasks["refactoring"], huge)
    assert facts["derived.memory_shortfall_gb"] is None
    assert isinstance(huge, Profile)


def test_the_readme_shows_these_refusals_as_they_are(tmp_path: Path, run_line: RunLine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("Each of these classes used to be"):]
    start = section.index("$ govern validate my-catalog\n") + len("$ govern validate my-catalog\n")
    shown = section[start:section.index("\n$ ", start) + 1]
    catalog = tmp_path / "my-catalog"
    for folder in ("profiles", "policy", "policies"):
        (catalog / folder).mkdir(parents=True)
    profile = (REPO / "profiles" / "eu-regulated-enterprise.yaml").read_text()
    profile = re.sub(r"accelerator_memory_gb: \d+", "accelerator_memory_gb: 0700", profile)
    profile = re.sub(r"(source_code: +\{host_jurisdictions: )\[EU, US, GB\]", r"\1[EU, US, NO]",
                     profile)
    (catalog / "profiles" / "eu-regulated-enterprise.yaml").write_text(profile)
    licence = (REPO / "policies" / "licence.yaml").read_text()
    (catalog / "policy" / "deny-all.yaml").write_text(licence)
    (catalog / "policies" / "deny-all.YAML").write_text(licence)
    capacity = (REPO / "policies" / "self-host-capacity.yaml").read_text()
    when, message = capacity.index("    when:"), capacity.index("    message:")
    (catalog / "policies" / "self-host-capacity.yaml").write_text(
        capacity[:when] + "    when: null\n" + capacity[message:])
    monkeypatch.chdir(tmp_path)
    result = run_line(["validate", "my-catalog"])
    assert result.exit_code == 2
    assert result.stdout + result.stderr == shown
    as_of = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                      "--as-of", "2026-02-30"])
    assert as_of.stderr in section


# ---------------------------------------------------------------- gaps the hostile suite found


def _team_policy(tmp_path: Path, old: str, new: str) -> Path:
    text = (REPO / "policies" / "licence.yaml").read_text()
    assert old in text
    (tmp_path / "policies").mkdir(exist_ok=True)
    (tmp_path / "policies" / "licence.yaml").write_text(text.replace(old, new, 1))
    return tmp_path


@pytest.mark.parametrize("tag", ["!!omap", "!!python/object/apply:os.system", "!include",
                                 "!!set"])
def test_a_tag_on_a_list_or_mapping_is_refused(tmp_path: Path, run_line: RunLine,
                                               tag: str) -> None:
    catalog = _team_policy(tmp_path, "      deployments: [self-host]",
                           f"      deployments: {tag} [self-host]")
    refused(evaluate(run_line, catalog),
            r"licence\.yaml:\d+:\d+: rules\[0\]\.applies_to\.deployments: unsupported YAML tag")


def test_nesting_too_deep_to_compose_names_its_line(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deep.yaml").write_text("id: deep\nrules: " + "[" * 5000 + "]" * 5000)
    refused(evaluate(run_line, tmp_path), r"deep\.yaml:2:\d+: -: nested more than 64 levels")


def test_a_key_beside_all_is_named_at_its_own_line(tmp_path: Path, run_line: RunLine) -> None:
    catalog = _team_policy(tmp_path, "      fact: model.open_weights\n      equals: false",
                           "      all:\n        - fact: model.open_weights\n"
                           "          equals: false\n      bogus: 1")
    refused(evaluate(run_line, catalog),
            r"licence\.yaml:\d+:7: rules\[1\]\.when\.bogus: unknown operator 'bogus'")


@pytest.mark.parametrize("written", ["1e3", "-2E5", "1.5e-3", ".5e1"])
def test_exponent_numbers_are_refused_even_where_yaml11_reads_text(
        tmp_path: Path, run_line: RunLine, written: str) -> None:
    text = (REPO / "model_cards" / "glm-5.2.yaml").read_text()
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "glm-5.2.yaml").write_text(
        re.sub(r"^name: .*$", f"name: {written}", text, count=1, flags=re.MULTILINE))
    refused(evaluate(run_line, tmp_path),
            rf"glm-5\.2\.yaml:\d+:1: name: {re.escape(written)} is written with an exponent")


@pytest.mark.parametrize(("cwd", "path", "shown"), [
    ("/work/repo", "/work/repo/model_cards/a.yaml", "model_cards/a.yaml"),
    ("/work/repo", "model_cards/../tasks/b.yaml", "tasks/b.yaml"),
    ("/work/repo", "/work/repo", "."),
    ("/work/repo", "/work/repository/a.yaml", "/work/repository/a.yaml"),  # not inside
    ("/work/repo", "/elsewhere/a.yaml", "/elsewhere/a.yaml"),
    ("/work/repo", "../other/a.yaml", "../other/a.yaml"),  # as given when outside
    ("/", "/etc/govern/a.yaml", "etc/govern/a.yaml"),
])
def test_a_file_is_named_relative_to_the_working_directory(
        cwd: str, path: str, shown: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages, SARIF and annotations name a file as the user sees it from the working
    directory (the repository root in CI); a file outside it as given."""
    monkeypatch.setattr(os, "getcwd", lambda: cwd)
    assert display_path(Path(path)) == shown


def test_a_file_is_named_as_given_when_the_working_directory_is_gone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def gone() -> str:
        raise FileNotFoundError("the working directory was removed")

    monkeypatch.setattr(os, "getcwd", gone)
    assert display_path(Path("model_cards/a.yaml")) == "model_cards/a.yaml"
