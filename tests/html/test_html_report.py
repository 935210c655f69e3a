"""``--format html`` of ``govern matrix`` and ``govern diff``, opened in a real headless
Chromium: the page loads with no console error and no request but the file itself, shows one
cell per decision, opens a cell to its findings, filters, works with scripts off, renders a
hostile card as text, and reads well (a screenshot is kept in tests/artifacts/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govern.loading.catalog import Catalog, bundled_root
from tests.html.chromium import Page
from tests.support import AS_OF, REPO, RunLine, waiver, write

DATE = AS_OF.isoformat()
ARTIFACTS = REPO / "tests" / "artifacts"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
VISIBLE_CELLS = """[...document.querySelectorAll("td.cell")].filter(td =>
  td.offsetParent !== null && !td.classList.contains("off"))"""


def render(run_line: RunLine, out: Path, *args: str) -> Path:
    result = run_line([*args, "--as-of", DATE, "--format", "html", "-o", str(out)])
    assert result.exit_code in (0, 1), result.stderr
    return out


def keep_screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """A screenshot in the test's tmp dir, copied to tests/artifacts/ (ignored by git)."""
    shot = page.screenshot(tmp_path / name)
    ARTIFACTS.mkdir(exist_ok=True)
    kept = shutil.copy(shot, ARTIFACTS / name)
    print(f"screenshot: {kept}")
    return Path(kept)


def assert_self_contained(page: Page, path: Path) -> None:
    assert page.console_errors() == []
    assert page.requested_urls() == [path.resolve().as_uri()]
    assert page.dialogs() == []


def cell_selector(profile: str, model: str, task: str) -> str:
    return (f'section[data-profile="{profile}"] tr[data-model="{model}"] '
            f'td[data-task="{task}"]')


def evaluate_json(run_line: RunLine, profile: str, model: str, task: str) -> dict[str, object]:
    result = run_line(["evaluate", "--model", model, "--task", task, "--profile", profile,
                       "--as-of", DATE, "--format", "json"])
    return dict(json.loads(result.stdout))


# ---------------------------------------------------------------- the matrix page


def test_the_matrix_page_shows_every_cell_and_opens_one_to_its_findings(
        page: Page, run_line: RunLine, catalog: Catalog, tmp_path: Path) -> None:
    report = render(run_line, tmp_path / "matrix.html", "matrix", "--all-profiles")
    page.open(report)
    assert_self_contained(page, report)
    per_profile = page.evaluate("""[...document.querySelectorAll("section.profile")].map(s =>
        [s.dataset.profile, s.querySelectorAll("td.cell").length,
         s.querySelectorAll("tbody th[scope=row]").length,
         s.querySelectorAll("thead th[scope=col][data-task]").length])""")
    size = len(catalog.models) * len(catalog.tasks)
    assert per_profile == [[p, size, len(catalog.models), len(catalog.tasks)]
                           for p in sorted(catalog.profiles)]
    profile, model, task = "eu-regulated-enterprise", "glm-5.2", "refactoring"
    cell = cell_selector(profile, model, task)
    panel = f"{cell} .reasons"
    assert page.on(cell, "e.offsetParent !== null")
    assert not page.on(panel, "e.checkVisibility()")
    page.click(f"{cell} summary")
    assert page.on(panel, "e.checkVisibility()")
    text = page.on(panel, "e.innerText")
    decision = evaluate_json(run_line, profile, model, task)
    assert f"Recommendation: {decision['recommendation']}" in text
    findings = [f for o in decision["options"] for f in o["findings"]]  # type: ignore[attr-defined]
    assert findings, "a cell with findings, to see them shown"
    for finding in findings:
        assert finding["rule"] in text and finding["message"] in text
    for compiled in catalog.policy_set.rules:  # and why each rule exists, and on what
        if compiled.rule.id in {f["rule"] for f in findings}:
            assert compiled.rule.rationale.text in text
            assert compiled.rule.rationale.source in text
    keep_screenshot(page, tmp_path, "matrix-cell-open.png")
    page.send("Input.dispatchKeyEvent", type="keyDown", key="Escape", code="Escape",
              windowsVirtualKeyCode=27)
    assert not page.on(panel, "e.checkVisibility()")


def test_the_filters_leave_exactly_the_cells_asked_for(
        page: Page, run_line: RunLine, catalog: Catalog, tmp_path: Path) -> None:
    report = render(run_line, tmp_path / "matrix.html", "matrix", "--all-profiles")
    csv_rows = run_line(["matrix", "--all-profiles", "--as-of", DATE, "--format", "csv"]
                        ).stdout.splitlines()[1:]
    page.open(report)
    total = len(csv_rows)
    assert page.evaluate(f"{VISIBLE_CELLS}.length") == total
    assert page.evaluate("document.getElementById('shown').textContent") == (
        f"Showing {total} of {total} cells")

    def choose(**values: str) -> int:
        page.evaluate("(() => { const form = document.getElementById('filters');"
                      f" Object.entries({json.dumps(values)}).forEach(([k, v]) =>"
                      " { form.elements[k].value = v; });"
                      " form.dispatchEvent(new Event('change')); })()")
        return int(page.evaluate(f"{VISIBLE_CELLS}.length"))

    rows = [r.split(",") for r in csv_rows]
    assert choose(profile="us-enterprise", recommendation="api") == sum(
        1 for r in rows if r[0] == "us-enterprise" and r[3] == "api")
    assert choose(profile="", recommendation="", task="refactoring") == len(catalog.profiles) * \
        len(catalog.models)
    assert choose(task="", model="glm-5.2", recommendation="self-host") == sum(
        1 for r in rows if r[1] == "glm-5.2" and r[3] == "self-host")
    page.evaluate("document.getElementById('filters').reset()")
    page.evaluate("new Promise(done => setTimeout(done, 50))")
    assert page.evaluate(f"{VISIBLE_CELLS}.length") == total
    assert page.console_errors() == []


def test_with_scripts_off_the_page_shows_everything_and_cells_still_open(
        page: Page, run_line: RunLine, tmp_path: Path) -> None:
    report = render(run_line, tmp_path / "matrix.html", "matrix")
    page.send("Emulation.setScriptExecutionDisabled", value=True)
    page.open(report)
    size = page.evaluate('document.querySelectorAll("td.cell").length')
    assert page.evaluate(f"{VISIBLE_CELLS}.length") == size > 0
    assert not page.on("#filters", "e.checkVisibility()")
    page.click("td.cell summary")
    assert page.on("td.cell .reasons", "e.checkVisibility()")


def test_a_waived_cell_says_so_and_opens_to_the_waiver(
        page: Page, run_line: RunLine, tmp_path: Path) -> None:
    waiver(tmp_path, "zai-pilot", "jurisdiction.data-class-not-permitted-at-host", "2027-01-31",
           model="glm-5.2", task="refactoring", deployment="api", provider="Z.ai")
    report = render(run_line, tmp_path / "waived.html", "matrix", "--catalog",
                    str(tmp_path / "catalog"), "--profile", "us-enterprise",
                    "--models", "glm-5.2", "--tasks", "refactoring")
    page.open(report)
    cell = cell_selector("us-enterprise", "glm-5.2", "refactoring")
    # "api*" on screen; a screen reader reads the star as words
    assert page.on(f"{cell} summary", "e.textContent") == "api* allowed only through a waiver"
    page.click(f"{cell} summary")
    panel = page.on(f"{cell} .reasons", "e.innerText")
    assert "api via Z.ai: allowed (recommended) through a waiver" in panel
    assert ("zai-pilot for jurisdiction.data-class-not-permitted-at-host on api via Z.ai: "
            "applied; security@example.com, until 2027-01-31 (SEC-9): pilot under contract, "
            "reviewed by legal") in panel


# ---------------------------------------------------------------- hostile text


def hostile_catalog(root: Path) -> Path:
    """A team catalog whose card, task and profile carry markup and script in every name."""
    quoted = json.dumps(HOSTILE)  # a JSON string is a YAML string
    card = (bundled_root() / "model_cards" / "glm-5.2.yaml").read_text()
    card = card.replace("id: glm-5.2", "id: hostile-model").replace(
        "name: GLM-5.2", f"name: {quoted}").replace(
        "name: Z.ai (Zhipu AI)", f"name: {quoted}").replace(
        "provider: Z.ai", f"provider: {quoted}")
    # the card's citations and inferences name the offering by its provider too
    for path in ("api_offerings[Z.ai]", "api_offerings[Z.ai].host_jurisdiction"):
        card = card.replace(f"  {path}:", f"  {json.dumps(path.replace('Z.ai', HOSTILE))}:")
    write(root / "model_cards" / "hostile-model.yaml", card)
    task = (bundled_root() / "tasks" / "refactoring.yaml").read_text()
    write(root / "tasks" / "hostile-task.yaml", task.replace("id: refactoring", "id: hostile-task")
          .replace("name: Refactoring", f"name: {quoted}"))
    profile = (bundled_root() / "profiles" / "us-enterprise.yaml").read_text()
    write(root / "profiles" / "hostile-profile.yaml", profile.replace(
        "id: us-enterprise", "id: hostile-profile").replace(
        "name: US enterprise", f"name: {quoted}"))
    return root


def test_every_value_from_yaml_is_escaped_and_the_file_links_nothing(
        run_line: RunLine, tmp_path: Path) -> None:
    # No browser needed: what the file holds, byte for byte.
    catalog = hostile_catalog(tmp_path / "catalog")
    raw = render(run_line, tmp_path / "hostile.html", "matrix", "--catalog", str(catalog),
                 "--profile", "hostile-profile", "--models", "hostile-model,glm-5.2",
                 "--tasks", "hostile-task,refactoring").read_text(encoding="utf-8")
    assert HOSTILE not in raw
    assert raw.count("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;") > 5
    assert raw.count("<script") == 1 and raw.count("<style") == 1
    for linking in ("src=", "<link", "<iframe", "<object", "@import", "url("):
        assert linking not in raw.replace("&lt;img src=x", ""), linking


def test_a_hostile_card_renders_as_text_and_runs_nothing(
        page: Page, run_line: RunLine, tmp_path: Path) -> None:
    catalog = hostile_catalog(tmp_path / "catalog")
    report = render(run_line, tmp_path / "hostile.html", "matrix", "--catalog", str(catalog),
                    "--profile", "hostile-profile", "--models", "hostile-model",
                    "--tasks", "hostile-task,refactoring")
    raw = report.read_text(encoding="utf-8")
    assert HOSTILE not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    page.open(report)
    page.click("td.cell summary")
    assert_self_contained(page, report)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 1
    shown = page.evaluate("document.body.innerText")
    assert shown.count(HOSTILE) >= 5  # model, vendor, task, profile, the provider's message
    assert page.on("td.cell .reasons", "e.innerText").count(HOSTILE)


# ---------------------------------------------------------------- the diff page


def us_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The catalog copied to before/ and after/, after/ letting source code go to CN hosts in
    the US profile; the arguments of ``govern diff`` comparing them (all profiles)."""
    monkeypatch.chdir(tmp_path)
    for kind in ("model_cards", "tasks", "profiles", "policies"):
        shutil.copytree(bundled_root() / kind, Path("before") / kind)
    shutil.copytree("before", "after")
    profile = Path("after/profiles/us-enterprise.yaml")
    line = "source_code:        {host_jurisdictions: [US, EU]}"
    text = profile.read_text()
    assert line in text
    profile.write_text(text.replace(line, line.replace("EU]", "EU, CN]")))
    return ["diff", "--base", "before", "--catalog", "after", "--all-profiles", "--as-of", DATE]


def test_the_diff_page_outlines_each_flipped_cell_before_and_after(
        page: Page, run_line: RunLine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = us_edit(tmp_path, monkeypatch)
    report_json = json.loads(run_line([*args, "--format", "json"]).stdout)
    decided = {(c["profile"], c["model"], c["task"]): c for c in report_json["cells"]
               if c["kind"] != "messages"}
    report = render(run_line, tmp_path / "diff.html", *args[:-2])
    page.open(report)
    assert_self_contained(page, report)
    outlined = page.evaluate("""[...document.querySelectorAll("td.cell.changed")].map(td =>
        [td.closest("section").dataset.profile, td.closest("tr").dataset.model,
         td.dataset.task, td.dataset.change, td.querySelector("summary").innerText])""")
    assert {tuple(c[:3]) for c in outlined} == set(decided)
    flipped = "us-enterprise", "glm-5.2", "software-development"
    (summary,) = [c[4] for c in outlined if tuple(c[:3]) == flipped]
    assert decided[flipped]["kind"] == "more-permissive"
    assert summary.split("\n")[0] == "disallow → api"
    page.on(cell_selector(*flipped), "e.scrollIntoView({block: 'center'})")
    keep_screenshot(page, tmp_path, "diff-flipped-cells.png")
    page.click(f"{cell_selector(*flipped)} summary")
    panel = page.on(f"{cell_selector(*flipped)} .reasons", "e.innerText")
    assert "api via Z.ai: denied → allowed, recommended" in panel
    assert "profile us-enterprise" in panel  # the edit that caused it
    assert "jurisdiction.data-class-not-permitted-at-host" in panel
    edits = page.on(".records-table", "e.innerText")
    assert "data_classes.source_code.host_jurisdictions: +CN" in edits
    keep_screenshot(page, tmp_path, "diff-flipped-cell-open.png")


def test_the_doc_quotes_the_real_pages(run_line: RunLine, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    doc = " ".join((REPO / "docs" / "matrix-and-diff.md").read_text().split())
    matrix = render(run_line, tmp_path / "m.html", "matrix", "--all-profiles").read_text()
    header = "10 models × 10 tasks × 3 profiles: 300 decisions as of 2026-11-23"
    assert header in doc and header in matrix
    args = us_edit(tmp_path, monkeypatch)
    diff = " ".join(render(run_line, tmp_path / "d.html", *args[:-2]).read_text().split())
    for quoted in (("300 cells: 1 more permissive, 0 more restrictive, 1 findings changed, "
                    "294 unchanged; 4 with messages changed only"),
                   "data_classes.source_code.host_jurisdictions: +CN",
                   "api via Z.ai: denied → allowed, recommended", "disallow → api"):
        assert quoted in doc, quoted
        assert quoted in diff, quoted
