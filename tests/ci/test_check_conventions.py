"""CI conventions of ``govern check``: several reports from one run, --soft-fail, a manifest
from stdin, short flags, baselines for legacy estates and the CycloneDX ML-BOM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.support import AS_OF, DENIED_API, RunLine, write

DATE = ["--as-of", AS_OF.isoformat()]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "govern.yaml", DENIED_API)
    return tmp_path


def test_reports_of_one_run_equal_separate_runs(project: Path, run_line: RunLine) -> None:
    (project / "out").mkdir()
    done = run_line(["check", *DATE, "-f", "github", "--report", "sarif=out/a.sarif",
                     "--report", "junit=b.xml", "--report", "json=c.json"])
    assert done.exit_code == 1
    for fmt, path in (("sarif", "out/a.sarif"), ("junit", "b.xml"), ("json", "c.json")):
        alone = run_line(["check", *DATE, "--format", fmt]).stdout
        assert (project / path).read_text() == alone, fmt
    assert done.stdout == run_line(["check", *DATE, "--format", "github"]).stdout


def test_a_bad_report_flag_is_a_usage_error(project: Path, run_line: RunLine) -> None:
    for value in ("sarif", "yaml=x.yaml", "sarif="):
        done = run_line(["check", *DATE, "--report", value])
        assert done.exit_code == 2 and "--report" in done.stderr, value


def test_soft_fail_reports_and_exits_0(project: Path, run_line: RunLine) -> None:
    done = run_line(["check", *DATE, "--soft-fail"])
    assert done.exit_code == 0 and "FAIL  govern.yaml:" in done.stdout
    write(project / "govern.yaml", "uses: []\n")
    assert run_line(["check", *DATE, "--soft-fail"]).exit_code == 2, "bad input still fails"


def test_manifest_from_stdin(project: Path, run_line: RunLine) -> None:
    text = (project / "govern.yaml").read_text()
    done = run_line(["check", *DATE, "-m", "-", "-f", "json"], input=text)
    assert done.exit_code == 1
    report = json.loads(done.stdout)
    assert report["manifest"] == "<stdin>" and report["summary"]["failed"] == 1
    broken = run_line(["check", *DATE, "--manifest", "-"], input="uses: [\n")
    assert broken.exit_code == 2 and "<stdin>:" in broken.stderr


def test_short_flags(project: Path, run_line: RunLine) -> None:
    long = run_line(["check", *DATE, "--profile", "us-enterprise", "--format", "json",
                     "--output", "long.json"])
    short = run_line(["check", *DATE, "-p", "us-enterprise", "-f", "json", "-o", "short.json"])
    assert long.exit_code == short.exit_code
    assert (project / "long.json").read_text() == (project / "short.json").read_text()


# ---------------------------------------------------------------- baseline


def test_baseline_fails_only_on_new_findings(project: Path, run_line: RunLine) -> None:
    wrote = run_line(["check", *DATE, "--write-baseline", "baseline.json"])
    assert wrote.exit_code == 0 and "1 finding(s)" in wrote.stderr
    baseline = json.loads((project / "baseline.json").read_text())
    assert baseline["findings"] == [{
        "entry": "review-bot", "model": "glm-5.2", "task": "refactoring", "deployment": "api",
        "provider": "Z.ai", "rule": "jurisdiction.data-class-not-permitted-at-host"}]
    accepted = run_line(["check", *DATE, "--baseline", "baseline.json"])
    assert accepted.exit_code == 0, accepted.output
    assert "baselined jurisdiction.data-class-not-permitted-at-host" in accepted.stdout
    # A new entry with the same finding is new: matched by entry, not by message.
    manifest = project / "govern.yaml"
    manifest.write_text(manifest.read_text() + manifest.read_text().split("uses:\n")[1]
                        .replace("code-assistant", "helper").replace("review-bot", "bot-2"))
    new = run_line(["check", *DATE, "--baseline", "baseline.json"])
    assert new.exit_code == 1 and "FAIL" in new.stdout
    assert new.stdout.count("baselined jurisdiction") == 1


def test_stale_baseline_entries_are_reported(project: Path, run_line: RunLine) -> None:
    run_line(["check", *DATE, "--write-baseline", "baseline.json"])
    manifest = project / "govern.yaml"
    manifest.write_text(manifest.read_text().replace("provider: Z.ai", "provider: Z.ai\n")
                        .replace("deployment: api\n    provider: Z.ai\n", "deployment: self-host\n"))
    done = run_line(["check", *DATE, "--baseline", "baseline.json"])
    assert done.exit_code == 0, done.output
    assert "stale baseline entry (no such finding): review-bot: glm-5.2 / refactoring / api " \
           "via Z.ai: jurisdiction.data-class-not-permitted-at-host" in done.stderr
    assert "stale baseline entries" in done.stdout


def test_a_broken_baseline_is_bad_input(project: Path, run_line: RunLine) -> None:
    (project / "baseline.json").write_text('{"findings": []}')
    done = run_line(["check", *DATE, "--baseline", "baseline.json"])
    assert done.exit_code == 2 and "baseline.json" in done.stderr


# ---------------------------------------------------------------- CycloneDX


def test_cyclonedx_ml_bom_is_valid(project: Path, run_line: RunLine) -> None:
    done = run_line(["check", *DATE, "--report", "cyclonedx=bom.json"])
    assert done.exit_code == 1
    text = (project / "bom.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    broken = json.loads(text)
    broken["components"][0]["type"] = "large-language-thing"
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(broken)) is not None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    (component,) = bom["components"]
    assert component["type"] == "machine-learning-model" and component["name"] == "glm-5.2"
    assert component["licenses"] == [{"license": {"id": "MIT"}}]
    assert component["supplier"]["name"]
    props = {p["name"]: p["value"] for p in component["properties"]}
    assert props["govern:use:review-bot:refactoring:verdict"] == "denied"
    assert props["govern:use:code-assistant:refactoring:status"] == "pass"
    again = run_line(["check", *DATE, "-f", "cyclonedx"]).stdout
    assert again == text, "byte-identical for identical inputs"


def test_cyclonedx_names_a_licence_that_is_no_spdx_id(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", """\
        uses:
          - name: docs-search
            model: claude-opus-4.8
            tasks: [document-analysis]
            deployment: api
        """)
    bom = json.loads(run_line(["check", *DATE, "-f", "cyclonedx"]).stdout)
    assert bom["components"][0]["licenses"] == [{"license": {"name": "proprietary"}}]
