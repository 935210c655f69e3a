"""``govern test``: policy test files, their validation, failure diffs, coverage, exit codes."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from govern.backends.native import NativeBackend
from govern.errors import InputError
from govern.loading.catalog import Catalog, bundled_root
from govern.policy_tests.cases import load_policy_tests
from govern.policy_tests.runner import run_policy_tests
from tests.support import AS_OF, REPO, RunLine

GLM_REFACTORING = """\
as_of: "2026-11-23"
cases:
  - name: glm refactoring
    model: glm-5.2
    task: refactoring
    expect:
{expect}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def glm_case(tmp_path: Path, expect: str) -> Path:
    body = textwrap.indent(textwrap.dedent(expect).strip("\n"), " " * 6)
    return write(tmp_path / "case.yaml", GLM_REFACTORING.format(expect=body))


# ---------------------------------------------------------------- the bundled tests


def test_bundled_policy_tests_pass_and_cover_every_rule(run_line: RunLine,
                                                         catalog: Catalog) -> None:
    result = run_line(["test", "--require-coverage"])
    assert result.exit_code == 0, result.output
    rules = len(catalog.policy_set.rules)
    assert rules == 16
    assert f"coverage: {rules}/{rules} rules fired" in result.output
    assert "not fired" not in result.output
    assert result.output.rstrip().endswith(" passed, 0 failed")


def test_bundled_tests_are_a_package_resource() -> None:
    assert (bundled_root() / "policy_tests").is_dir()
    assert (bundled_root() / "policy_tests").resolve() == (REPO / "policy_tests").resolve()


def test_every_bundled_case_runs_and_passes(catalog: Catalog) -> None:
    cases = load_policy_tests([REPO / "policy_tests"], catalog)
    run = run_policy_tests(cases, catalog, NativeBackend(), AS_OF)
    assert len(run.results) == len(cases) >= 13
    assert [r.name for r in run.results if not r.passed] == []
    assert run.uncovered == ()


# ---------------------------------------------------------------- passing and failing cases


def test_a_matching_case_passes(run_line: RunLine, tmp_path: Path) -> None:
    path = glm_case(tmp_path, """
        recommendation: self-host
        options:
          - {deployment: api, provider: Z.ai, verdict: denied,
             fires: [jurisdiction.data-class-not-permitted-at-host]}
          - {deployment: self-host, verdict: allowed, recommended: true}
        cannot_check: [residency.provider-trains-on-confidential-data]
        does_not_fire: [revocation.access-suspended]
        obligations: [model-security-assessment]
    """)
    result = run_line(["test", str(path), "-v"])
    assert result.exit_code == 0, result.output
    assert "ok   " in result.output and "glm refactoring" in result.output
    assert "1 passed, 0 failed" in result.output


def test_a_failing_case_prints_expected_and_actual_and_exits_1(run_line: RunLine,
                                                               tmp_path: Path) -> None:
    path = glm_case(tmp_path, """
        recommendation: api
        options:
          - {deployment: api, provider: Z.ai, verdict: allowed,
             fires: [revocation.access-suspended]}
        does_not_fire: [licence.disputed-facts]
        obligations: []
    """)
    result = run_line(["test", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "FAIL " in out and "case.yaml:3  glm refactoring" in out
    assert "recommendation: expected api, got self-host" in out
    assert "api via Z.ai: verdict: expected allowed, got denied" in out
    assert "api via Z.ai: expected revocation.access-suspended to fire; fired: " \
           "jurisdiction.data-class-not-permitted-at-host, licence.disputed-facts" in out
    assert "expected licence.disputed-facts not to fire; it did: sources disagree" in out
    assert "obligations: expected [], got [model-security-assessment]" in out
    assert "0 passed, 1 failed" in out


def test_an_option_that_does_not_exist_fails(run_line: RunLine, tmp_path: Path) -> None:
    path = glm_case(tmp_path, """
        options:
          - {deployment: api, provider: OpenAI, verdict: denied}
    """)
    result = run_line(["test", str(path)])
    assert result.exit_code == 1
    assert "option api via OpenAI: not among the options (api via Z.ai, self-host)" \
        in result.output


def test_a_cannot_check_warning_is_not_firing(run_line: RunLine, tmp_path: Path) -> None:
    # GLM-5.2's data terms are unpublished: the training rule only warns 'cannot check'.
    path = glm_case(tmp_path, "fires: [residency.provider-trains-on-confidential-data]")
    result = run_line(["test", str(path)])
    assert result.exit_code == 1
    assert "expected residency.provider-trains-on-confidential-data to fire" in result.output


def test_inline_model_card_for_a_hypothetical_model(run_line: RunLine, tmp_path: Path) -> None:
    path = write(tmp_path / "hypothetical.yaml", """\
        as_of: "2026-11-23"
        cases:
          - name: an unapproved licence bars self-hosting
            model_card:
              id: hypothetical
              name: Hypothetical 1
              vendor: {name: Example AI, jurisdiction: EU}
              license: LicenseRef-Example
              open_weights: true
              parameters: {total_billion: 10}
              as_of: "2026-11-23"
              sources: [{publication: test}]
            task: refactoring
            expect:
              recommendation: disallow
              options:
                - {deployment: self-host, verdict: denied,
                   fires: [licence.self-host-licence-not-approved]}
        """)
    result = run_line(["test", str(path)])
    assert result.exit_code == 0, result.output
    # The same card under an approved licence: now the expectation must fail.
    text = path.read_text().replace("LicenseRef-Example", "MIT")
    path.write_text(text)
    result = run_line(["test", str(path)])
    assert result.exit_code == 1
    assert "recommendation: expected disallow, got self-host" in result.output


def test_inline_task_and_profile_and_waiver(run_line: RunLine, tmp_path: Path) -> None:
    profile = (REPO / "profiles" / "eu-regulated-enterprise.yaml").read_text()
    profile = profile.replace("source_code:        {host_jurisdictions: [EU, US, GB]}",
                              "source_code:        {host_jurisdictions: [EU, US, GB, CN]}")
    profile_block = textwrap.indent(profile, " " * 6)
    path = write(tmp_path / "inline.yaml", f"""\
as_of: "2026-11-23"
cases:
  - name: code-only task, profile letting code go to CN
    model: glm-5.2
    task:
      id: code-only
      name: Code only
      description: source code, nothing else
      risk_tier: lower
      data_classes: [source_code]
      business_critical: false
    profile:
{profile_block}
    expect:
      options:
        - {{deployment: api, provider: Z.ai, verdict: allowed}}
  - name: a waiver of the jurisdiction rule allows Z.ai for refactoring
    model: glm-5.2
    task: refactoring
    waivers:
      - id: zai-pilot
        rule: jurisdiction.data-class-not-permitted-at-host
        scope: {{model: glm-5.2, provider: Z.ai}}
        owner: ciso@example.com
        reason: pilot under contract
        reference: RISK-1
        expires: "2026-12-31"
    expect:
      options:
        - {{deployment: api, provider: Z.ai, verdict: allowed, waived: true,
            fires: [jurisdiction.data-class-not-permitted-at-host]}}
""")
    result = run_line(["test", str(path), "-v"])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output


# ---------------------------------------------------------------- coverage


def test_coverage_lists_uncovered_rules_per_policy(run_line: RunLine, tmp_path: Path) -> None:
    path = glm_case(tmp_path, "recommendation: self-host")
    result = run_line(["test", str(path)])
    assert result.exit_code == 0, result.output
    assert "coverage: 3/16 rules fired" in result.output
    assert ("  revocation-risk        0/2  not fired: revocation.access-suspended, "
            "revocation.business-critical-needs-fallback") in result.output
    assert "  api-host-jurisdiction  2/2\n" in result.output


def test_require_coverage_turns_uncovered_rules_into_failure(run_line: RunLine,
                                                             tmp_path: Path) -> None:
    path = glm_case(tmp_path, "recommendation: self-host")
    result = run_line(["test", str(path), "--require-coverage"])
    assert result.exit_code == 1
    assert "1 passed, 0 failed" in result.output


def test_json_format(run_line: RunLine, tmp_path: Path) -> None:
    path = glm_case(tmp_path, "recommendation: api")
    result = run_line(["test", str(path), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["passed"] == 0 and document["failed"] == 1
    (case,) = document["cases"]
    assert case["name"] == "glm refactoring" and case["line"] == 3
    assert case["failures"] == ["recommendation: expected api, got self-host"]
    assert "jurisdiction.data-class-not-permitted-at-host" in case["fired"]
    assert document["coverage"]["rules"] == 16 and document["coverage"]["fired"] == 3


# ---------------------------------------------------------------- invalid test files


@pytest.mark.parametrize("expect, message", [
    ("fires: [jurisdiction.data-class-not-permitted-at-hst]",
     ("case.yaml:7:15: cases[0].expect.fires[0]: unknown rule "
      "'jurisdiction.data-class-not-permitted-at-hst' (did you mean "
      "'jurisdiction.data-class-not-permitted-at-host'?)")),
    ("options:\n  - {deployment: api, does_not_fire: [licence.disputed-fact]}",
     ("case.yaml:8:45: cases[0].expect.options[0].does_not_fire[0]: unknown rule "
      "'licence.disputed-fact' (did you mean 'licence.disputed-facts'?)")),
    ("does_not_fier: [licence.disputed-facts]",
     ("case.yaml:7:7: cases[0].expect.does_not_fier: unknown key (did you mean "
      "'does_not_fire'?)")),
    ("recommendation: self-host\nrecommendation: api",
     "case.yaml:8:7: cases[0].expect.recommendation: duplicate key (first defined at line 7)"),
    ("{}", "cases[0].expect: expects nothing"),
    ("options: [{deployment: self-host, provider: Z.ai}]",
     "cases[0].expect.options[0]: a self-host option has no provider"),
])
def test_invalid_test_files_exit_2_with_file_line(run_line: RunLine, tmp_path: Path,
                                                  expect: str, message: str) -> None:
    path = glm_case(tmp_path, expect)
    result = run_line(["test", str(path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_unknown_ids_and_duplicate_names_are_all_reported(run_line: RunLine,
                                                         tmp_path: Path) -> None:
    path = write(tmp_path / "ids.yaml", """\
        cases:
          - name: same
            model: glm-5.3
            task: refactorin
            profile: us-enterprse
            expect: {recommendation: api}
          - name: same
            model: glm-5.2
            task: refactoring
            expect: {recommendation: api}
        """)
    result = run_line(["test", str(path)])
    assert result.exit_code == 2
    err = result.stderr
    assert "ids.yaml:3:5: cases[0].model: unknown model 'glm-5.3' (did you mean 'glm-5.2'?)" \
        in err
    assert "ids.yaml:4:5: cases[0].task: unknown task 'refactorin' (did you mean " \
           "'refactoring'?)" in err
    assert "ids.yaml:5:5: cases[0].profile: unknown profile 'us-enterprse'" in err
    assert "ids.yaml:7:5: cases[1].name: case name 'same' is already used by cases[0]" in err


def test_model_and_model_card_are_exclusive(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path / "neither.yaml", """\
        cases:
          - name: no model
            task: refactoring
            expect: {recommendation: api}
        """)
    with pytest.raises(InputError) as raised:
        load_policy_tests([path], catalog)
    assert "give exactly one of 'model'" in str(raised.value)


def test_no_test_files_is_an_input_error(run_line: RunLine, tmp_path: Path) -> None:
    result = run_line(["test", str(tmp_path)])
    assert result.exit_code == 2
    assert "no policy test files" in result.stderr


def test_team_catalog_policy_change_is_caught(run_line: RunLine, tmp_path: Path) -> None:
    # A team loosens the jurisdiction policy (deletes the deny rule): the bundled tests notice.
    team = tmp_path / "team"
    (team / "policies").mkdir(parents=True)
    source = (REPO / "policies" / "api-host-jurisdiction.yaml").read_text()
    start = source.index("  - id: jurisdiction.data-class-not-permitted-at-host")
    end = source.index("  - id: jurisdiction.self-hosted-foreign-model-needs-assessment")
    (team / "policies" / "api-host-jurisdiction.yaml").write_text(source[:start] + source[end:])
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(REPO / "policy_tests" / "revocation-risk.yaml", tests)
    result = run_line(["test", str(tests), "--catalog", str(team)])
    assert result.exit_code == 0, result.output  # these tests do not name the removed rule
    shutil.copy(REPO / "policy_tests" / "api-host-jurisdiction.yaml", tests)
    result = run_line(["test", str(tests), "--catalog", str(team)])
    assert result.exit_code == 2  # expectations name a rule the catalog no longer has
    assert "unknown rule 'jurisdiction.data-class-not-permitted-at-host'" in result.stderr


def test_schema_policy_test(run_line: RunLine) -> None:
    result = run_line(["schema", "policy_test"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$id"].endswith("/policy_test.schema.json")
    assert set(schema["properties"]) == {"description", "as_of", "cases"}
    case = schema["$defs"]["PolicyTestCase"]
    assert {"model", "model_card", "task", "profile", "waivers", "expect"} <= set(
        case["properties"])


def test_junit_format_for_policy_tests(run_line: RunLine, tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml

    done = run_line(["test", "--as-of", AS_OF.isoformat(), "-f", "junit"])
    assert done.exit_code == 0, done.output
    (tmp_path / "tests.xml").write_text(done.stdout)
    suites = list(JUnitXml.fromfile(str(tmp_path / "tests.xml")))
    as_json = json.loads(run_line(["test", "--as-of", AS_OF.isoformat(), "-f", "json"]).stdout)
    assert sum(suite.tests for suite in suites) == len(as_json["cases"])
    assert {suite.name for suite in suites} == {c["file"] for c in as_json["cases"]}
    names = [(suite.name, case.name) for suite in suites for case in suite]
    assert names == [(c["file"], c["name"]) for c in as_json["cases"]]
    assert all(case.is_passed for suite in suites for case in suite)
    assert "<system-out>coverage: " in done.stdout
    assert not any(isinstance(r, Failure) for suite in suites for case in suite
                   for r in case.result)


def test_junit_failure_carries_every_difference(run_line: RunLine, tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml

    path = glm_case(tmp_path, """
        recommendation: api
        obligations: []
    """)
    done = run_line(["test", str(path), "--format", "junit"])
    assert done.exit_code == 1
    (tmp_path / "tests.xml").write_text(done.stdout)
    (suite,) = list(JUnitXml.fromfile(str(tmp_path / "tests.xml")))
    (case,) = list(suite)
    (failure,) = case.result
    assert isinstance(failure, Failure) and suite.failures == 1
    assert "recommendation" in (failure.text or "")
    assert "obligations: expected [], got [model-security-assessment]" in (failure.text or "")
