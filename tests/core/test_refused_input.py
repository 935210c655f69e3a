"""Input that must be refused: exit 2, a message naming file:line:col and the key, no decision."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from govern.loading.yaml_source import MAX_FILE_BYTES
from tests.support import REPO, RunLine, line_of

pytestmark = pytest.mark.usefixtures("each_yaml_composer")
"""Every refusal holds with each YAML composer (libyaml's and the pure-Python one)."""

GOOD_RULE = """\
  - id: team.rule
    description: a team rule
    effect: deny
    severity: high
    when:
      fact: model.license
      equals: proprietary
    message: "{model.name} is proprietary"
    rationale: {text: because, source: team}
"""


def team_policy(tmp_path: Path, text: str, name: str = "team") -> Path:
    """A team catalog holding one policy file; returns the catalog directory."""
    (tmp_path / "policies").mkdir(exist_ok=True)
    (tmp_path / "policies" / f"{name}.yaml").write_text(text)
    return tmp_path


def policy_text(rules: str = GOOD_RULE, head: str = "") -> str:
    return f"id: team\ntitle: Team\ndescription: team rules\n{head}rules:\n{rules}"


def refused(result, *expected: str) -> str:  # type: ignore[no-untyped-def]
    """Assert exit 2, nothing on stdout, and each expected pattern in stderr."""
    assert result.exit_code == 2, result.output
    assert result.stdout == "", "nothing may be decided or printed on stdout"
    for pattern in expected:
        assert re.search(pattern, result.stderr), f"{pattern!r} not in:\n{result.stderr}"
    return result.stderr


def evaluate_with(run_line: RunLine, catalog: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_line(["evaluate", "--catalog", str(catalog), "--model", "glm-5.2",
                     "--task", "refactoring", "--as-of", "2026-11-23", *args])


def test_the_team_policy_used_in_these_tests_is_itself_valid(tmp_path: Path,
                                                              run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text())
    assert evaluate_with(run_line, catalog).exit_code == 0


def test_duplicate_key_at_top_level(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(head="title: Again\n"))
    refused(evaluate_with(run_line, catalog),
            r"policies/team\.yaml:4:1: title: duplicate key \(first defined at line 2\)")


def test_duplicate_key_deep_inside_a_condition(tmp_path: Path, run_line: RunLine) -> None:
    rule = GOOD_RULE.replace("      equals: proprietary\n",
                             "      equals: proprietary\n      equals: MIT\n")
    catalog = team_policy(tmp_path, policy_text(rule))
    refused(evaluate_with(run_line, catalog), r"team\.yaml:12:7: rules\[0\]\.when\.equals: duplicate key \(first defined at line 11\)")


def test_misspelt_key_is_not_ignored(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace("effect:", "efect:")))
    refused(evaluate_with(run_line, catalog),
            r"team\.yaml:7:5: rules\[0\]\.efect: unknown key \(did you mean 'effect'\?\)",
            r"rules\[0\]\.effect: missing required key")


def test_value_of_the_wrong_type(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace("severity: high",
                                                                  "severity: [high]")))
    refused(evaluate_with(run_line, catalog), r"team\.yaml:8:5: rules\[0\]\.severity: Input should be")


def test_unknown_effect_value(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace("effect: deny",
                                                                  "effect: allow")))
    refused(evaluate_with(run_line, catalog),
            r"team\.yaml:7:5: rules\[0\]\.effect: Input should be 'deny', 'require' or 'warn'")


def test_unknown_operator(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace("equals:", "matches:")))
    refused(evaluate_with(run_line, catalog),
            r"team\.yaml:11:7: rules\[0\]\.when\.matches: unknown operator 'matches'")


def test_fact_path_that_does_not_exist(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace("model.license",
                                                                  "model.licence")))
    refused(evaluate_with(run_line, catalog),
            r"team\.yaml:10:7: rules\[0\]\.when\.fact: unknown fact 'model\.licence' "
            r"\(did you mean 'model\.license'\?\)")


def test_malformed_fact_path_and_bad_placeholder(tmp_path: Path, run_line: RunLine) -> None:
    rule = GOOD_RULE.replace("model.license", "../../etc/passwd").replace(
        "{model.name}", "{model.nme}")
    catalog = team_policy(tmp_path, policy_text(rule))
    refused(evaluate_with(run_line, catalog), r"rules\[0\]\.when\.fact: not a fact path")


def test_operator_that_does_not_suit_the_fact(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace("equals: proprietary",
                                                                  "gte: 3")))
    refused(evaluate_with(run_line, catalog), r"team\.yaml:11:7: rules\[0\]\.when\.gte: ")


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path,
                                                         run_line: RunLine) -> None:
    team_policy(tmp_path, policy_text(GOOD_RULE.replace("effect:", "efect:")), "one")
    (tmp_path / "policies" / "one.yaml").write_text(
        policy_text(GOOD_RULE.replace("effect:", "efect:")).replace("id: team", "id: one"))
    # two.yaml: an unknown fact in its first rule, a bad severity in its second.
    two = policy_text(GOOD_RULE.replace("model.license", "model.licence").replace(
        "team.rule", "two.a") + GOOD_RULE.replace("team.rule", "two.b").replace(
        "severity: high", "severity: huge")).replace("id: team", "id: two")
    (tmp_path / "policies" / "two.yaml").write_text(two)
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "x.yaml").write_text("id: x\nname: X\nvendor: {}\n"
                                                     "as_of: 2026-13-01\nsources: []\n")
    result = run_line(["validate", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert any(re.match(r".*one\.yaml:7:5: rules\[0\]\.efect: unknown key", ln) for ln in lines)
    assert any(re.match(r".*two\.yaml:17:5: rules\[1\]\.severity", ln) for ln in lines)
    assert any(re.match(r".*two\.yaml:10:7: rules\[0\]\.when\.fact: unknown fact", ln)
               for ln in lines)
    assert any(re.match(r".*x\.yaml:4:\d+: as_of: ", ln) for ln in lines)
    assert any(re.match(r".*x\.yaml:5:\d+: sources: ", ln) for ln in lines)
    assert re.search(r"\d+ problem\(s\) in 3 file\(s\)", result.stderr)


def test_record_id_must_match_its_file_name(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(), name="other-name")
    refused(evaluate_with(run_line, catalog),
            r"other-name\.yaml:1:\d+: id: id 'team' must match the file name")


def test_rule_id_clashing_with_a_bundled_rule(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text(GOOD_RULE.replace(
        "team.rule", "licence.weights-not-known-open")))
    refused(evaluate_with(run_line, catalog),
            r"team\.yaml:5:\d+: rules\[0\]\.id: rule id 'licence\.weights-not-known-open' is "
            r"also used in policy 'licence'")


def test_a_waiver_of_no_rule_is_located_at_its_rule_key(tmp_path: Path,
                                                         run_line: RunLine) -> None:
    # A cross-file problem: only the whole catalog shows it, yet it names the waiver's line.
    (tmp_path / "waivers").mkdir()
    (tmp_path / "waivers" / "w.yaml").write_text(
        "id: w\nscope: {model: glm-5.2}\nowner: a@example.com\nreason: pilot\n"
        "reference: R-1\nexpires: 2027-01-31\nrule: licence.no-such-rule\n")
    refused(evaluate_with(run_line, tmp_path),
            r"w\.yaml:7:1: rule: waiver names rule 'licence\.no-such-rule', which no policy has")


@pytest.mark.parametrize(("flag", "value", "expected"), [
    ("--model", "glm-5.3", r"--model: unknown model card 'glm-5\.3' \(did you mean 'glm-5\.2'\?\)"),
    ("--task", "refactor", r"--task: unknown task 'refactor' \(did you mean 'refactoring'\?\)"),
    ("--profile", "eu-regulated",
     r"--profile: unknown profile 'eu-regulated' \(did you mean 'eu-regulated-enterprise'\?\)"),
    ("--model", "../model_cards/glm-5.2", r"--model: unknown model card '\.\./model_cards/glm"),
    ("--model", "/etc/passwd", r"--model: unknown model card '/etc/passwd'"),
    ("--task", "../../tasks/refactoring.yaml", r"--task: unknown task '\.\./\.\./tasks/"),
    ("--profile", "profiles/us-enterprise", r"--profile: unknown profile 'profiles/us-"),
])
def test_unknown_and_path_like_ids_are_looked_up_never_opened(
        run_line: RunLine, flag: str, value: str, expected: str) -> None:
    args = {"--model": "glm-5.2", "--task": "refactoring", "--profile": "us-enterprise"}
    args[flag] = value
    result = run_line(["evaluate", *[x for kv in args.items() for x in kv]])
    refused(result, expected)


def test_all_unknown_ids_are_reported_together(run_line: RunLine) -> None:
    result = run_line(["evaluate", "--model", "gml-5.2", "--task", "refactorin"])
    refused(result, r"--model: unknown model card 'gml-5\.2'", r"--task: unknown task")


def test_alias_bomb_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    catalog = team_policy(tmp_path, "\n".join(lines) + "\n")
    stderr = refused(evaluate_with(run_line, catalog), r"team\.yaml:\d+:\d+: .*alias")
    assert len(stderr) < 2000


def test_aliases_within_the_limit_are_fine(tmp_path: Path, run_line: RunLine) -> None:
    text = policy_text().replace("rationale: {text: because, source: team}",
                                 "rationale: &r {text: because, source: team}")
    catalog = team_policy(tmp_path, text)
    assert evaluate_with(run_line, catalog).exit_code == 0


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path,
                                                            run_line: RunLine) -> None:
    text = policy_text() + "# " + "x" * MAX_FILE_BYTES + "\n"
    catalog = team_policy(tmp_path, text)
    refused(evaluate_with(run_line, catalog), r"team\.yaml: -: file is \d+ bytes; the limit is")


def test_yaml_syntax_error_names_the_line(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text() + "  - id: [unclosed\n")
    refused(evaluate_with(run_line, catalog), r"team\.yaml:\d+:\d+: -: not valid YAML")


def test_unsupported_yaml_tag_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    catalog = team_policy(tmp_path, policy_text().replace(
        "title: Team", "title: !!python/object:os.system echo"))
    refused(evaluate_with(run_line, catalog), r"team\.yaml:2:\d+: title: ")


def test_bad_as_of_date(run_line: RunLine) -> None:
    refused(run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                      "--as-of", "23/11/2026"]), r"--as-of: expected a date as YYYY-MM-DD")


def test_missing_catalog_directory(tmp_path: Path, run_line: RunLine) -> None:
    refused(evaluate_with(run_line, tmp_path / "nope"), r"nope: -: catalog directory not found")


def test_broken_bundled_catalog_file_is_caught_by_validate(tmp_path: Path,
                                                           run_line: RunLine) -> None:
    for kind in ("model_cards", "tasks", "profiles", "policies"):
        shutil.copytree(REPO / kind, tmp_path / kind)
    card = tmp_path / "model_cards" / "glm-5.2.yaml"
    card.write_text(card.read_text().replace("open_weights: true", "open_weights: yes please"))
    result = run_line(["validate", str(tmp_path)])
    assert result.exit_code == 2
    line = line_of(card.read_text(), "open_weights: yes please")
    assert re.search(rf"glm-5\.2\.yaml:{line}:1: open_weights: expected true or false without "
                     r"quotes, got the text 'yes please'", result.stdout)
