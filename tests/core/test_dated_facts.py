"""Facts hold from a date: the decision as of D uses the values in force on D.

Through the real CLI: the Fable 5 suspension on either side of 12 June 2026, a fact first
recorded after D (unknown on D, so the rule that needs it fires as its ``when_unknown`` says),
and every way a dated value can be malformed, refused at file:line with the key (exit 2).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.support import REPO, run_govern


def _evaluate(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run_govern(["evaluate", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout)


def _api(decision: dict) -> dict:  # type: ignore[type-arg]
    (api,) = [o for o in decision["options"] if o["deployment"] == "api"]
    return api


@pytest.mark.parametrize("model", ["claude-fable-5", "claude-mythos-5"])
def test_suspension_holds_from_its_day(model: str) -> None:
    _code, before = _evaluate("--model", model, "--task", "software-development",
                             "--as-of", "2026-06-11")
    assert "revocation.access-suspended" not in [f["rule"] for f in _api(before)["findings"]]
    code_after, after = _evaluate("--model", model, "--task", "software-development",
                                  "--as-of", "2026-06-12")
    (finding,) = [f for f in _api(after)["findings"]
                  if f["rule"] == "revocation.access-suspended"]
    assert _api(after)["verdict"] == "denied" and code_after == 1
    assert finding["message"].startswith(
        f"Claude {model.split('-')[1].title()} 5 access is withdrawn since 2026-06-12")
    assert "all customers" in finding["message"]


def test_fable_before_the_suspension_is_decided_on_the_other_rules() -> None:
    code, decision = _evaluate("--model", "claude-fable-5", "--task", "software-development",
                               "--as-of", "2026-06-11")
    assert (code, decision["recommendation"], _api(decision)["verdict"]) == (0, "api", "allowed")


def test_same_date_same_bytes_whatever_day_it_runs() -> None:
    # the only clock govern reads is --as-of's default; given, nothing else changes the answer
    args = ["evaluate", "--format", "json", "--model", "claude-fable-5", "--task",
            "software-development", "--as-of", "2026-06-11"]
    assert run_govern(args).stdout == run_govern(args).stdout


CARD = """\
    id: dated-test
    name: Dated Test
    vendor: {{name: V, jurisdiction: EU}}
    open_weights: true
    parameters: {{total_billion: 10}}
    {extra}
    as_of: "2026-11-23"
    sources:
      - key: paper
        publication: Some Journal
"""


def _catalog(tmp_path: Path, extra: str) -> Path:
    cards = tmp_path / "model_cards"
    cards.mkdir()
    (cards / "dated-test.yaml").write_text(textwrap.dedent(CARD.format(
        extra=textwrap.indent(textwrap.dedent(extra), "    ").strip())))
    return tmp_path


LICENCE_FROM_JULY = """\
dated_values:
  - fact: license
    since: "2026-07-01"
    value: MIT
    sources: [paper]
"""


def _self_host(tmp_path: Path, as_of: str) -> dict:  # type: ignore[type-arg]
    _, decision = _evaluate("--catalog", str(tmp_path), "--model", "dated-test", "--task",
                            "refactoring", "--as-of", as_of)
    (option,) = [o for o in decision["options"] if o["deployment"] == "self-host"]
    return option


def test_a_fact_first_recorded_after_the_date_is_unknown(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, LICENCE_FROM_JULY)
    before = _self_host(catalog, "2026-06-30")
    (finding,) = [f for f in before["findings"]
                  if f["rule"] == "licence.self-host-licence-not-approved"]
    # the licence rule fires (when_unknown: fire) for insufficient evidence: never a pass
    # (the licence approved along the lineage is unknown while the card's licence is)
    assert (finding["effect"], finding["unknown_facts"]) == ("deny", ["derived.license_approved"])
    assert before["verdict"] == "denied"
    after = _self_host(catalog, "2026-07-01")
    assert "licence.self-host-licence-not-approved" not in [f["rule"] for f in after["findings"]]


def test_a_later_value_replaces_the_earlier_from_its_day(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, LICENCE_FROM_JULY + """\
  - fact: license
    since: "2026-09-01"
    value: proprietary
""")
    assert "licence.self-host-licence-not-approved" not in [
        f["rule"] for f in _self_host(catalog, "2026-08-31")["findings"]]
    denied = _self_host(catalog, "2026-09-01")
    assert [f["message"] for f in denied["findings"]
            if f["rule"] == "licence.self-host-licence-not-approved"] == [
        ("Dated Test is licensed proprietary (along its lineage: proprietary), which is not "
         "approved for commercial "
        "self-hosting (approved: MIT, Apache-2.0, BSD-3-Clause)")]


OFFERED_JULY_TO_SEPTEMBER = """\
api_offerings:
  - provider: EuHost
    host_jurisdiction: EU
    regions: [eu-west]
    offered_since: "2026-07-01"
    offered_until: "2026-09-30"
"""


def _providers(catalog: Path, as_of: str) -> list[str | None]:
    _, decision = _evaluate("--catalog", str(catalog), "--model", "dated-test", "--task",
                            "refactoring", "--as-of", as_of)
    return [o.get("provider") for o in decision["options"] if o["deployment"] == "api"]


@pytest.mark.parametrize(("as_of", "offered"), [
    ("2026-06-30", False), ("2026-07-01", True), ("2026-09-30", True), ("2026-10-01", False)])
def test_an_offering_is_an_option_only_on_the_days_it_is_offered(
        tmp_path: Path, as_of: str, offered: bool) -> None:
    catalog = _catalog(tmp_path, OFFERED_JULY_TO_SEPTEMBER)
    assert _providers(catalog, as_of) == (["EuHost"] if offered else [])


def test_an_offering_not_yet_offered_is_no_option_in_the_matrix_either(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, OFFERED_JULY_TO_SEPTEMBER)
    for as_of, options in (("2026-06-30", ["self-host"]), ("2026-07-01", ["api via EuHost",
                                                                         "self-host"])):
        result = run_govern(["matrix", "--catalog", str(catalog), "--models", "dated-test",
                             "--tasks", "refactoring", "--as-of", as_of, "--format", "json"])
        (cell,) = json.loads(result.stdout)["cells"]
        assert [o["deployment"] + (f" via {o['provider']}" if o.get("provider") else "")
                for o in cell["options"]] == options


@pytest.mark.parametrize(("extra", "line", "key", "says"), [
    (LICENCE_FROM_JULY + '  - {fact: license, since: "2026-07-01", value: Apache-2.0}\n',
     11, "since", "two values of license from 2026-07-01"),
    (LICENCE_FROM_JULY + '  - {fact: license, since: "2026-06-01", value: Apache-2.0}\n',
     11, "since", "must be oldest first"),
    ('dated_values:\n  - {fact: licence, since: "2026-07-01", value: MIT}\n',
     7, "fact", "'licence' is not a fact of a model card"),
    ('dated_values:\n  - {fact: open_weights, since: "2026-07-01", value: "yes"}\n',
     7, "fact", "does not fit open_weights"),
    ('dated_values:\n  - {fact: revocation.status, since: "2026-07-01", value: suspended}\n',
     7, "fact", "dated by revocation events"),
    (('dated_values:\n  - {fact: pricing.input_usd_per_mtok, offering: Nobody,'
     ' since: "2026-07-01", value: 1}\n'), 7, "fact", "no API offering with provider 'Nobody'"),
    ('dated_values:\n  - {fact: license, since: "2026-07-01", value: MIT, sources: [nope]}\n',
     7, "sources", "no source with key 'nope'"),
    ('dated_values:\n  - {fact: license, since: "2026-13-01", value: MIT}\n',
     7, "since", "there is no month 13"),
    (('api_offerings:\n  - {provider: P, offered_since: "2026-07-01",'
      ' offered_until: "2026-06-30"}\n'), 7, "api_offerings[0].offered_until",
     "offered_until 2026-06-30 is before offered_since 2026-07-01"),
    (('api_offerings:\n  - {provider: P, offered_since: "2026-07-01"}\ndated_values:\n'
      '  - {fact: offered_until, offering: P, since: "2026-08-01", value: "2026-06-30"}\n'),
     9, "fact", "offered_until is the offering's own dating"),  # else: refused on the day
    ("fact_sources:\n  licence: [paper]\n", 7, "licence", "no fact 'licence' in a model card"),
    (('revocation:\n  since: "2026-01-01"\n  events:\n    - {date: "2026-06-12", actor: A,'
     ' action: suspended, scope: all, source: S}\n'), 7, "since", "set by the events"),
    (('revocation:\n  events:\n    - {date: "2026-06-12", actor: A, action: suspended, scope: all,'
     ' source: S}\n    - {date: "2026-06-11", actor: A, action: restored, scope: all,'
     ' source: S}\n'), 9, "date", "must be oldest first"),
])
def test_malformed_dated_facts_are_refused_at_their_key(tmp_path: Path, extra: str, line: int,
                                                        key: str, says: str) -> None:
    catalog = _catalog(tmp_path, extra)
    result = run_govern(["validate", "--catalog", str(catalog)])
    assert result.exit_code == 2, result.output
    shown = result.stdout + result.stderr
    assert says in shown, shown
    assert f"dated-test.yaml:{line}" in shown and key in shown, shown


GUIDE = (REPO / "docs" / "writing-policies.md").read_text()


@pytest.mark.parametrize("as_of", ["2026-06-11", "2026-06-12"])
def test_the_guide_shows_the_real_output_either_side_of_the_suspension(as_of: str) -> None:
    command = ("govern evaluate --model claude-fable-5 --task knowledge-work --profile "
               f"us-enterprise --as-of {as_of}")
    start = GUIDE.index(f"$ {command}\n") + len(command) + 3
    shown = GUIDE[start:GUIDE.index("\n$ ", start) if "\n$ " in GUIDE[start:GUIDE.index(
        "```", start)] else GUIDE.index("```", start)]
    assert run_govern(command.split()[1:]).stdout == shown.rstrip("\n") + "\n"
