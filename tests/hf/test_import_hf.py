"""`govern import hf`: a Hugging Face README's metadata as a model card govern validates.

The fixtures are README.md files as Hugging Face model repositories hold them (a fine-tune, a
merge under `license: other`, a Hugging Face licence id, two licences, no licence, a malformed
front matter). Nothing is fetched: the command reads the local file only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from govern.loading.catalog import bundled_root, load_catalog
from tests.support import RunLine

FIXTURES = Path(__file__).parent / "fixtures"
VALID = ["qwen-coder-finetune", "qwen-base", "llama-other-licence", "no-licence",
         "gemma-hf-licence-id", "dual-licence"]


def import_into(run_line: RunLine, catalog: Path, fixture: str, card_id: str) -> Path:
    out = catalog / "model_cards" / f"{card_id}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = run_line(["import", "hf", str(FIXTURES / f"{fixture}.md"), "-o", str(out),
                       "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fixture", VALID)
def test_an_imported_card_is_one_govern_validate_accepts(
        tmp_path: Path, run_line: RunLine, fixture: str) -> None:
    out = import_into(run_line, tmp_path, fixture, fixture)
    result = run_line(["validate", "--catalog", str(tmp_path)])
    assert result.exit_code == 0, result.output + out.read_text()


@pytest.mark.parametrize("fixture", VALID)
def test_every_fact_the_card_does_not_state_is_unknown_and_says_so(
        run_line: RunLine, fixture: str) -> None:
    result = run_line(["import", "hf", str(FIXTURES / f"{fixture}.md"), "--as-of",
                       "2026-11-30"])
    assert result.exit_code == 0, result.output
    card = yaml.safe_load(result.stdout)
    assert card["vendor"] == {} and card["api_offerings"] == []
    for absent in ("open_weights", "revocation", "kv_cache", "parameters"):
        assert absent not in card
        assert re.search(rf"^# {absent}\b.*: unknown - ", result.stdout, re.MULTILINE), absent
    assert "# unknown - the card names neither the vendor nor its jurisdiction" in result.stdout
    assert "# unknown - the card lists no hosted endpoint" in result.stdout
    assert card["sources"] == [{"publication": "Hugging Face model card",
                                "title": card["name"]}]


def test_a_fine_tune_maps_licence_base_and_benchmarks(run_line: RunLine) -> None:
    result = run_line(["import", "hf", str(FIXTURES / "qwen-coder-finetune.md"),
                       "--as-of", "2026-11-30"])
    card = yaml.safe_load(result.stdout)
    assert card["id"] == "example-coder-7b-sft" and card["name"] == "Example-Coder-7B-SFT"
    assert card["license"] == "Apache-2.0"  # Hugging Face writes apache-2.0
    assert card["base_model"] == ["qwen2.5-coder-7b-instruct"]
    assert "Qwen/Qwen2.5-Coder-7B-Instruct" in result.stdout  # the repo id, in the comment
    assert card["benchmarks"] == [
        {"name": "HumanEval test pass@1", "value": 84.1,
         "source": "Example Labs evaluation, https://example.com/evals/coder-7b"},
        {"name": "MBPP pass@1 (fraction)", "value": 0.000012,
         "source": "the model's Hugging Face card (model-index), as its authors report"}]
    assert card["as_of"] == "2026-11-30"


@pytest.mark.parametrize(("fixture", "licence"), [
    ("llama-other-licence", "LicenseRef-llama3.1"),   # other + license_name
    ("gemma-hf-licence-id", "LicenseRef-gemma"),      # Hugging Face's own id, no SPDX id
    ("dual-licence", "MIT AND Apache-2.0"),           # several licences: all of them bind
    ("no-licence", None),
])
def test_licences_are_mapped_to_spdx_or_left_unknown(
        run_line: RunLine, fixture: str, licence: str | None) -> None:
    result = run_line(["import", "hf", str(FIXTURES / f"{fixture}.md"), "--as-of", "2026-11-30"])
    assert yaml.safe_load(result.stdout).get("license") == licence
    if licence is None:
        assert "# license: unknown - the card states no licence" in result.stdout


def test_the_lineage_of_an_imported_fine_tune_resolves_once_its_base_is_imported(
        tmp_path: Path, run_line: RunLine) -> None:
    import_into(run_line, tmp_path, "qwen-coder-finetune", "example-coder-7b-sft")

    def self_host() -> dict[str, dict[str, object]]:
        result = run_line(["evaluate", "--catalog", str(tmp_path), "--model",
                           "example-coder-7b-sft", "--task", "refactoring", "--as-of",
                           "2026-11-30", "--format", "json"])
        option = next(o for o in json.loads(result.stdout)["options"]
                      if o["deployment"] == "self-host")
        return {f["rule"]: f for f in option["findings"]}

    missing = self_host()["licence.base-model-missing"]
    assert "derives from qwen2.5-coder-7b-instruct" in str(missing["message"])
    base = import_into(run_line, tmp_path, "qwen-base", "qwen2.5-coder-7b-instruct")
    # the base's own base (Qwen/Qwen2.5-Coder-7B) is found through the chain, and named
    assert "derives from qwen2.5-coder-7b," in str(
        self_host()["licence.base-model-missing"]["message"])
    root = re.sub(r"^base_model: .*$", "", base.read_text(), flags=re.MULTILINE)
    (base.parent / "qwen2.5-coder-7b.yaml").write_text(
        root.replace('id: "qwen2.5-coder-7b-instruct"', 'id: "qwen2.5-coder-7b"'))
    tune = load_catalog([bundled_root(), tmp_path]).models["example-coder-7b-sft"]
    assert tune.lineage is not None
    assert [e.license for e in tune.lineage.licenses] == ["Apache-2.0"] * 3
    findings = self_host()
    assert "licence.base-model-missing" not in findings
    assert "licence.self-host-licence-not-approved" not in findings  # Apache-2.0 all along


def test_a_malformed_front_matter_is_refused_naming_the_file_and_line(
        tmp_path: Path, run_line: RunLine) -> None:
    out = tmp_path / "broken-card.yaml"
    result = run_line(["import", "hf", str(FIXTURES / "malformed-front-matter.md"),
                       "-o", str(out)])
    assert result.exit_code == 2 and result.stdout == ""
    assert re.search(r"malformed-front-matter\.md:\d+:\d+: .*malformed YAML front matter",
                     result.stderr), result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("text", "said"), [
    ("# Just a README\nNo metadata here.\n", "no YAML front matter"),
    ("---\n- a\n- list\n---\n# x\n", "malformed model card metadata"),
])
def test_a_readme_without_card_metadata_is_refused(tmp_path: Path, run_line: RunLine,
                                                    text: str, said: str) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(text)
    result = run_line(["import", "hf", str(readme)])
    assert result.exit_code == 2 and said in result.stderr, result.stderr


def test_card_text_cannot_break_out_of_a_comment_or_a_value(tmp_path: Path,
                                                             run_line: RunLine) -> None:
    readme = tmp_path / "README.md"
    readme.write_text('---\nlicense: other\nlicense_name: "x\\nopen_weights: true"\n'
                      'license_link: "https://e.com\\nopen_weights: true # x"\n---\n'
                      '# "quoted: name" # not a comment\n')
    out = tmp_path / "model_cards" / "x.yaml"
    out.parent.mkdir()
    result = run_line(["import", "hf", str(readme), "--id", "x", "-o", str(out)])
    assert result.exit_code == 0, result.output
    card = yaml.safe_load(out.read_text())
    assert "open_weights" not in card
    assert card["name"] == '"quoted: name" # not a comment'
    assert card["license"] == "LicenseRef-x-open_weights-true".replace("_", "-")
    assert run_line(["validate", "--catalog", str(tmp_path)]).exit_code == 0


def test_the_output_file_is_named_after_the_id(tmp_path: Path, run_line: RunLine) -> None:
    result = run_line(["import", "hf", str(FIXTURES / "no-licence.md"), "--id", "a",
                       "-o", str(tmp_path / "b.yaml")])
    assert result.exit_code == 2 and "named after its id: a.yaml" in result.stderr
    assert not (tmp_path / "b.yaml").exists()


def test_the_same_readme_and_date_give_the_same_bytes(run_line: RunLine) -> None:
    args = ["import", "hf", str(FIXTURES / "llama-other-licence.md"), "--as-of", "2026-11-30"]
    assert run_line(args).stdout == run_line(args).stdout
