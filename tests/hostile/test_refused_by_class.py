"""One readable example per class of hostile input: what the user wrote, and the exact answer.

The generated suite (test_hostile_mutants.py) tries hundreds of mutants per run; these examples
show a reader what each class is and what govern says, through the real CLI: exit 2,
``file:line:col: key: message`` saying what was read, and nothing decided on stdout.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from tests.hostile.mutants import DENY_ALL
from tests.support import REPO, RunLine

AS_OF = ["--as-of", "2026-11-23"]


def team_record(catalog: Path, record: str, old: str, new: str) -> Path:
    """Copy one bundled record (``profiles/us-enterprise.yaml``) into a team catalog, with
    ``old`` replaced by ``new`` once; the copy replaces the bundled record."""
    target = catalog / record
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (REPO / record).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {record}"
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def where(file: Path, text: str) -> str:
    """``file:line:col`` of the first occurrence of ``text`` in the file, as govern reports it."""
    content = file.read_text(encoding="utf-8")
    index = content.index(text)
    line = content.count("\n", 0, index) + 1
    column = index - (content.rfind("\n", 0, index) + 1) + 1
    return f"{re.escape(str(file))}:{line}:{column}"


def refused(result: Result, pattern: str) -> None:
    """Exit 2, nothing decided on stdout, and the problem as ``pattern`` says."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert re.search(pattern, result.stderr), f"{pattern!r} not in:\n{result.stderr}"


def evaluate(run_line: RunLine, catalog: Path, *args: str) -> Result:
    return run_line(["evaluate", "--catalog", str(catalog), "--model", "glm-5.2",
                     "--task", "refactoring", *AS_OF, *args])


# ---------------------------------------------------------------- numbers


def test_numbers_an_octal_parameter_count_is_refused_saying_what_yaml_would_read(
        tmp_path: Path, run_line: RunLine) -> None:
    # 0744 is octal 484 in YAML 1.1: the derived self-host memory would shrink silently.
    card = team_record(tmp_path, "model_cards/glm-5.2.yaml",
                       "total_billion: 744", "total_billion: 0744")
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            where(card, "total_billion: 0744") + r": parameters\."
            r"total_billion: 0744 is an octal number in YAML 1\.1; govern takes "
            r"only a plain decimal number .*\(YAML 1\.1 would read 484\)")


def test_numbers_a_sexagesimal_token_count_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    # 43:00 is 2,580 in YAML 1.1: a sixteenth of the measured output tokens per task.
    card = team_record(tmp_path, "model_cards/glm-5.2.yaml", "output: 43000", "output: 43:00")
    refused(evaluate(run_line, tmp_path),
            where(card, "output: 43:00") + r": tokens_per_task\.output: 43:00 is a "
            r"sexagesimal \(base 60\) number in YAML 1\.1")


@pytest.mark.parametrize(("old", "new", "key"), [
    ("context_tokens: 128000", "context_tokens: -1", r"context_tokens"),
    ("context_tokens: 128000", "context_tokens: 128000.5", r"context_tokens"),
    ("tokens_per_task: {input: 40000}", "tokens_per_task: {input: '40000'}",
     r"tokens_per_task\.input"),
])
def test_task_token_counts_are_whole_non_negative_numbers(tmp_path: Path, run_line: RunLine,
                                                          old: str, new: str, key: str) -> None:
    task = team_record(tmp_path, "tasks/refactoring.yaml", old, new)
    refused(evaluate(run_line, tmp_path), re.escape(str(task)) + r":\d+:\d+: " + key)


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("precision: FP8", "precision: FP7", r"self_host\.precision: .*FP16"),
    ("precision: FP8", "precision: fp8", r"self_host\.precision"),
    ("memory_gb: 80}", "memory_gb: 0}", r"self_host\.accelerator\.memory_gb"),
    ("memory_gb: 80}", "memory_gb: .inf}", r"self_host\.accelerator\.memory_gb: \.inf is infinite"),
])
def test_profile_precision_and_accelerator_are_refused_when_wrong(
        tmp_path: Path, run_line: RunLine, old: str, new: str, problem: str) -> None:
    profile = team_record(tmp_path, "profiles/us-enterprise.yaml", old, new)
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            re.escape(str(profile)) + r":\d+:\d+: " + problem)


def test_a_kv_cache_in_both_forms_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    card = team_record(tmp_path, "model_cards/glm-5.2.yaml", "\ntokens_per_task:",
                       "\nkv_cache: {layers: 92, kv_heads: 8, head_dim: 128, values_per_token: 1, "
                       "source: s}\ntokens_per_task:")
    refused(evaluate(run_line, tmp_path),
            re.escape(str(card)) + r":\d+:\d+: kv_cache: .*not both")


def test_numbers_a_nan_operand_in_a_rule_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    # gt: .nan makes the capacity rule never fire: every self-host would pass.
    policy = team_record(tmp_path, "policies/self-host-capacity.yaml",
                         "weights_shortfall_gb\n      gt: 0", "weights_shortfall_gb\n      gt: .nan")
    refused(evaluate(run_line, tmp_path),
            where(policy, "gt: .nan") + r": rules\[0\]\.when\.gt: \.nan is not-a-number "
            r"\(NaN\); govern takes only a plain decimal number")


def test_numbers_where_text_is_expected_are_refused_saying_how_to_quote(
        tmp_path: Path, run_line: RunLine) -> None:
    card = team_record(tmp_path, "model_cards/glm-5.2.yaml", "license: MIT", "license: 0700")
    refused(evaluate(run_line, tmp_path),
            where(card, "license") + r": license: 0700 is an octal number in YAML 1\.1.*"
            r"quote it if you mean the text")


def test_numbers_a_plain_decimal_with_a_fraction_decides_exactly_as_the_integer(
        tmp_path: Path, run_line: RunLine) -> None:
    team_record(tmp_path, "profiles/us-enterprise.yaml", "accelerator_memory_gb: 640",
                "accelerator_memory_gb: 640.0")
    args = ["--profile", "us-enterprise", "--format", "json"]
    mutant, bundled = evaluate(run_line, tmp_path, *args), run_line(
        ["evaluate", "--model", "glm-5.2", "--task", "refactoring", *AS_OF, *args])
    assert mutant.exit_code == bundled.exit_code == 1
    assert json.loads(mutant.stdout) == json.loads(bundled.stdout)


# ---------------------------------------------------------------- booleans


def test_booleans_norway_is_not_false(tmp_path: Path, run_line: RunLine) -> None:
    profile = team_record(tmp_path, "profiles/us-enterprise.yaml", "home_jurisdiction: US",
                          "home_jurisdiction: NO")
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            where(profile, "home_jurisdiction") + r": home_jurisdiction: YAML 1\.1 reads 'NO' "
            r"as the boolean false; .*quote it \('NO'\) if you mean the text")


def test_booleans_yes_where_a_boolean_is_expected_is_refused_asking_for_true(
        tmp_path: Path, run_line: RunLine) -> None:
    card = team_record(tmp_path, "model_cards/glm-5.2.yaml", "open_weights: true",
                       "open_weights: yes")
    refused(evaluate(run_line, tmp_path),
            where(card, "open_weights") + r": open_weights: YAML 1\.1 reads 'yes' as the "
            r"boolean true; govern takes only true or false as booleans: write true")


# ---------------------------------------------------------------- nulls and deleted facts


def test_nulls_an_empty_when_is_refused_not_read_as_always(tmp_path: Path,
                                                           run_line: RunLine) -> None:
    policy = team_record(tmp_path, "policies/self-host-capacity.yaml",
                         "    when:\n      fact: derived.weights_shortfall_gb\n      gt: 0\n",
                         "    when:\n")
    refused(evaluate(run_line, tmp_path),
            where(policy, "when:") + r": rules\[0\]\.when: null is not a value here: leave the "
            r"key out \(absent, it means the rule always fires\)")


def test_nulls_a_waiver_scope_left_empty_is_refused_not_read_as_any_model(
        tmp_path: Path, run_line: RunLine) -> None:
    waiver = tmp_path / "waivers" / "zai-pilot.yaml"
    waiver.parent.mkdir()
    waiver.write_text("id: zai-pilot\nrule: jurisdiction.data-class-not-permitted-at-host\n"
                      "scope:\n  model:\n  provider: Z.ai\nowner: a@example.com\nreason: pilot\n"
                      "reference: SEC-1\nexpires: 2027-01-31\n", encoding="utf-8")
    refused(evaluate(run_line, tmp_path),
            where(waiver, "model:") + r": scope\.model: null is not a value here: leave the key "
            r"out \(absent, it means any model\)")


def test_deleted_a_card_fact_removed_is_unknown_and_denies_for_insufficient_evidence(
        tmp_path: Path, run_line: RunLine) -> None:
    team_record(tmp_path, "model_cards/glm-5.2.yaml", "license: MIT", "")
    decision = json.loads(evaluate(run_line, tmp_path, "--format", "json").stdout)
    (self_host,) = [o for o in decision["options"] if o["deployment"] == "self-host"]
    assert self_host["verdict"] == "denied"
    assert ["derived.license_approved"] in [f["unknown_facts"] for f in self_host["findings"]]


# ---------------------------------------------------------------- keys and types


def test_unknown_keys_a_misspelt_waiver_scope_key_is_refused_with_a_suggestion(
        tmp_path: Path, run_line: RunLine) -> None:
    waiver = tmp_path / "waivers" / "zai-pilot.yaml"
    waiver.parent.mkdir()
    waiver.write_text("id: zai-pilot\nrule: jurisdiction.data-class-not-permitted-at-host\n"
                      "scope: {modle: glm-5.2}\nowner: a@example.com\nreason: pilot\n"
                      "reference: SEC-1\nexpires: 2027-01-31\n", encoding="utf-8")
    refused(evaluate(run_line, tmp_path),
            where(waiver, "modle") + r": scope\.modle: unknown key \(did you mean 'model'\?\)")


def test_unknown_keys_a_key_beside_all_in_a_condition_is_named_itself(
        tmp_path: Path, run_line: RunLine) -> None:
    policy = team_record(tmp_path, "policies/data-residency.yaml",
                         "    when:\n      all:\n", "    when:\n      x_note: high\n      all:\n")
    refused(evaluate(run_line, tmp_path),
            where(policy, "x_note") + r": rules\[1\]\.when\.x_note: unknown operator "
            r"'x_note'")


def test_wrong_types_a_region_where_a_list_is_expected_is_refused(
        tmp_path: Path, run_line: RunLine) -> None:
    profile = team_record(tmp_path, "profiles/us-enterprise.yaml",
                          "  regions: [us-east]", "  regions: us-east")
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            where(profile, "regions: us-east") + r": self_host\.regions: Input should be a valid "
            r"list")


def test_quoted_scalars_a_quoted_capacity_is_text_and_refused(tmp_path: Path,
                                                             run_line: RunLine) -> None:
    profile = team_record(tmp_path, "profiles/us-enterprise.yaml", "accelerator_memory_gb: 640",
                          'accelerator_memory_gb: "2000"')
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            where(profile, "accelerator_memory_gb") + r": self_host\.accelerator_memory_gb: "
            r"expected a number, got the text '2000'")


# ---------------------------------------------------------------- structure


def test_structure_5000_nested_lists_exit_2_naming_the_file(tmp_path: Path) -> None:
    # A real process: how deep Python may recurse is part of what is tested.
    deep = tmp_path / "profiles" / "deep.yaml"
    deep.parent.mkdir()
    deep.write_text("[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "govern", "validate", "--catalog",
                           str(tmp_path)], capture_output=True, text=True, check=False, cwd=REPO)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{deep}:1:129: -: nested more than 64 levels deep" in done.stdout
    assert "internal error" not in done.stdout + done.stderr


def test_structure_an_alias_bomb_is_refused(tmp_path: Path, run_line: RunLine) -> None:
    bomb = "".join([f"x{i}: &x{i} [{', '.join([f'*x{i - 1}' if i else 'lol'] * 10)}]\n"
                    for i in range(7)])
    profile = team_record(tmp_path, "profiles/us-enterprise.yaml", "id: us-enterprise",
                          bomb + "id: us-enterprise")
    refused(evaluate(run_line, tmp_path),
            re.escape(str(profile)) + r":\d+:\d+: x\S*: document expands to more than 50000 "
            r"nodes \(alias bomb\?\); refused")


def test_structure_a_tag_on_a_list_is_refused_not_ignored(tmp_path: Path,
                                                         run_line: RunLine) -> None:
    profile = team_record(tmp_path, "profiles/us-enterprise.yaml", "preference: [api, self-host]",
                          "preference: !!python/object/apply:os.system [api, self-host]")
    refused(evaluate(run_line, tmp_path, "--profile", "us-enterprise"),
            where(profile, "preference") + r": preference: unsupported YAML tag")


# ---------------------------------------------------------------- files the loader would skip


def test_extra_files_a_policy_in_a_misnamed_folder_is_refused_not_skipped(
        tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "deny-all.yaml").write_text(DENY_ALL, encoding="utf-8")
    refused(evaluate(run_line, tmp_path),
            re.escape(str(tmp_path / "policy")) + r": -: govern does not read this folder "
            r"\(did you mean policies/\?\)")


def test_extra_files_a_symlink_out_of_the_catalog_is_refused(tmp_path: Path,
                                                            run_line: RunLine) -> None:
    outside = tmp_path / "outside.yaml"
    shutil.copy(REPO / "policies" / "licence.yaml", outside)
    catalog = tmp_path / "catalog"
    (catalog / "policies").mkdir(parents=True)
    (catalog / "policies" / "licence.yaml").symlink_to(outside)
    refused(evaluate(run_line, catalog),
            re.escape(str(catalog / "policies" / "licence.yaml")) + r": -: symlink points "
            r"outside the catalog")


# ---------------------------------------------------------------- the command line


def test_as_of_a_day_that_does_not_exist_says_so(run_line: RunLine) -> None:
    result = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                       "--as-of", "2026-02-30"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("error: --as-of: 2026-02-30 is not a date: February 2026 has 28 "
                             "days\n")


def test_a_closed_pipe_is_not_an_engine_failure() -> None:
    # `govern list facts | head -1`: the reader is gone before govern writes.
    process = subprocess.Popen([sys.executable, "-m", "govern", "list", "facts"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1, stderr  # as documented: quiet, never 0, never 3
    assert stderr == ""


# ---------------------------------------------------------------- licences and lineage


def test_licences_a_misspelt_licence_is_refused_with_the_spdx_id_it_meant(
        tmp_path: Path, run_line: RunLine) -> None:
    # "MITT" used to validate, and then fail every approval silently as 'not MIT'.
    card = team_record(tmp_path, "model_cards/glm-5.2.yaml", "license: MIT", "license: MITT")
    refused(evaluate(run_line, tmp_path),
            where(card, "license: MITT") + r": license: unknown SPDX licence id 'MITT' "
            r"\(did you mean 'MIT'\?\)")


def test_lineage_a_base_model_cycle_is_refused_naming_every_card_on_it(
        tmp_path: Path, run_line: RunLine) -> None:
    first = team_record(tmp_path, "model_cards/glm-5.2.yaml", "license: MIT",
                        "license: MIT\nbase_model: [glm-5.1]")
    second = team_record(tmp_path, "model_cards/glm-5.1.yaml", "id: glm-5.1",
                         "id: glm-5.1\nbase_model: [glm-5.2]")
    for card in (first, second):
        refused(evaluate(run_line, tmp_path),
                where(card, "base_model") + r": base_model: base_model cycle "
                r"glm-5\.1 -> glm-5\.2 -> glm-5\.1")
