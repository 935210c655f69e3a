"""How ``govern prove`` prints its answers (text, json, markdown), and the counterexample
catalogs ``--witness-dir`` writes so anyone can re-decide them with ``govern evaluate``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govern.core import Decision, OptionDecision
from govern.prove.questions import Answer, ProofReport
from govern.prove.witness import RECORD_KINDS, Checked, Version, to_yaml

QUESTIONS = {
    "equivalent": "Equivalent to the base?",
    "more-permissive": "More permissive anywhere?",
    "more-restrictive": "More restrictive anywhere?",
}
LINT_CHECKS = {
    "never-fires": "never fires",
    "always-fires": "always fires",
    "shadowed": "shadowed",
    "contradiction": "contradicts itself",
}
SCOPE = ("over every well-formed card, task, profile and decision date the schemas admit "
         "(not only the catalog's records)")


# ---------------------------------------------------------------- shared pieces


def _standing_denies(option: OptionDecision) -> list[str]:
    return [f.rule for f in option.findings if f.effect == "deny" and f.waiver is None]


def _side(decision: Decision, index: int) -> dict[str, Any]:
    option = decision.options[index]
    return {"verdict": option.verdict, "recommendation": decision.recommendation,
            "denied_by": _standing_denies(option)}


def record_files(checked: Checked) -> dict[str, str]:
    """Catalog-relative file name -> YAML text of a counterexample's records."""
    files = {f"{RECORD_KINDS[key][0]}/{checked.ids[key]}.yaml": text
             for key, text in checked.yaml.items()}
    return files | {f"model_cards/{base_id}.yaml": text
                    for base_id, text in checked.bases.items()}


def evaluate_command(checked: Checked, catalog: str) -> str:
    return (f"govern evaluate --catalog {catalog} --model {checked.ids['model_card']} "
            f"--task {checked.ids['task']} --profile {checked.ids['profile']} "
            f"--as-of {checked.as_of.isoformat()}")


def _counterexample(answer: Answer, witness_dir: str) -> dict[str, Any] | None:
    checked, index = answer.counterexample, answer.option
    if checked is None or index is None:
        return None
    where = f"{witness_dir}/{answer.question}"
    return {
        "as_of": checked.as_of.isoformat(),
        "option": checked.before.options[index].label,
        "base": _side(checked.before, index),
        "current": _side(checked.after, index),
        "records": record_files(checked),
        "evaluate": {version: evaluate_command(checked, f"{where}/{version}")
                     for version in ("base", "current")},
    }


def proof_document(report: ProofReport, witness_dir: str = "WITNESS_DIR") -> dict[str, Any]:
    return {
        "base": report.base,
        "current": report.current,
        "scope": SCOPE,
        "answers": [{"question": a.question, "answer": a.reply, "status": a.status,
                     "reasons": list(a.reasons),
                     "counterexample": _counterexample(a, witness_dir)}
                    for a in report.answers],
        "lint": {"status": report.lint_status,
                 "findings": [{"check": f.check, "rule": f.rule, "detail": f.detail}
                              for f in report.lint]},
        "model": report.model,
        "bounds": report.bounds,
    }


def _verdict_line(example: dict[str, Any]) -> str:
    base, current = example["base"], example["current"]
    line = (f"{example['option']}: {base['verdict']} -> {current['verdict']} as of "
            f"{example['as_of']} (recommendation {base['recommendation']} -> "
            f"{current['recommendation']})")
    return line


def _denied_by(side: dict[str, Any]) -> str:
    return ", ".join(side["denied_by"]) or "no rule"


# ---------------------------------------------------------------- text


def proof_text(report: ProofReport, witness_dir: str = "WITNESS_DIR") -> str:
    document = proof_document(report, witness_dir)
    lines = [f"govern prove: {report.current} against {report.base}",
             f"Answers hold {SCOPE}.", ""]
    for answer in document["answers"]:
        lines.append(f"{QUESTIONS[answer['question']]:<28}{answer['answer']:<9}"
                     f"({answer['status']})")
    for answer in document["answers"]:
        example = answer["counterexample"]
        if answer["question"] == "equivalent" or example is None:
            continue
        lines += ["", f"{QUESTIONS[answer['question']]} {answer['answer']}: counterexample",
                  f"  {_verdict_line(example)}",
                  f"  denied by, under the base: {_denied_by(example['base'])}",
                  f"  denied by, now: {_denied_by(example['current'])}"]
        for name, text in example["records"].items():
            lines.append(f"  --- {name}")
            lines += [f"  {row}" for row in text.rstrip("\n").split("\n")]
        lines += ["  re-decide it (--witness-dir writes these catalogs):",
                  f"    {example['evaluate']['base']}",
                  f"    {example['evaluate']['current']}"]
    for answer in document["answers"]:
        if answer["reasons"]:
            lines += ["", f"{QUESTIONS[answer['question']]} {answer['status']}:"]
            lines += [f"  - {reason}" for reason in answer["reasons"]]
    lines += ["", f"Lint of the current policies ({document['lint']['status']}):"]
    findings = document["lint"]["findings"]
    if not findings:
        lines.append("  no rule never fires, always fires, is shadowed or contradicts itself")
    lines += [f"  {f['rule']} {LINT_CHECKS[f['check']]}: {f['detail']}" for f in findings]
    lines += ["", "What the answers range over:"]
    lines += [f"  - {note}" for note in document["model"]]
    if document["bounds"]:
        lines += ["", "Bounded by:"] + [f"  - {bound}" for bound in document["bounds"]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- markdown


def proof_markdown(report: ProofReport, witness_dir: str = "WITNESS_DIR") -> str:
    document = proof_document(report, witness_dir)
    lines = [f"## govern prove: {report.current} against {report.base}", "",
             f"Answers hold {SCOPE}.", "", "| Question | Answer | Status |", "|---|---|---|"]
    lines += [f"| {QUESTIONS[a['question']]} | {a['answer']} | {a['status']} |"
              for a in document["answers"]]
    for answer in document["answers"]:
        example = answer["counterexample"]
        if answer["question"] == "equivalent" or example is None:
            continue
        lines += ["", f"### {QUESTIONS[answer['question']]} {answer['answer']}", "",
                  (f"{_verdict_line(example)}. Denied by, under the base: "
                  f"{_denied_by(example['base'])}; now: {_denied_by(example['current'])}.")]
        for name, text in example["records"].items():
            lines += ["", f"`{name}`", "", "```yaml", text.rstrip("\n"), "```"]
    for answer in document["answers"]:
        if answer["reasons"]:
            lines += ["", f"**{QUESTIONS[answer['question']]}** {answer['status']}:", ""]
            lines += [f"- {reason}" for reason in answer["reasons"]]
    lines += ["", f"### Lint ({document['lint']['status']})", ""]
    findings = document["lint"]["findings"]
    if not findings:
        lines.append("No rule never fires, always fires, is shadowed or contradicts itself.")
    lines += [f"- `{f['rule']}` {LINT_CHECKS[f['check']]}: {f['detail']}" for f in findings]
    lines += ["", "### What the answers range over", ""]
    lines += [f"- {note}" for note in document["model"]]
    if document["bounds"]:
        lines += ["", "### Bounded by", ""] + [f"- {bound}" for bound in document["bounds"]]
    return "\n".join(lines) + "\n"


def proof_json(report: ProofReport, witness_dir: str = "WITNESS_DIR") -> str:
    return json.dumps(proof_document(report, witness_dir), indent=2, ensure_ascii=False) + "\n"


PROOF_FORMATS: dict[str, Callable[[ProofReport, str], str]] = {
    "text": proof_text, "json": proof_json, "markdown": proof_markdown}


# ---------------------------------------------------------------- --witness-dir


def _version_files(version: Version) -> dict[str, str]:
    files = {f"policies/{p.id}.yaml": to_yaml(p.model_dump(mode="json", by_alias=True,
                                                             exclude_none=True))
             for p in version.policies.policies}
    files |= {f"waivers/{w.id}.yaml": to_yaml(w.model_dump(mode="json", by_alias=True,
                                                           exclude_none=True))
              for w in version.waivers}
    return files


def write_witnesses(report: ProofReport, base: Version, current: Version, directory: Path
                    ) -> list[Path]:
    """Per counterexample, two catalogs (``base``, ``current``) holding that version's
    policies and waivers and the counterexample's records: ``govern evaluate --catalog``
    on each decides them as the proof says."""
    written: list[Path] = []
    for answer in report.answers:
        if answer.counterexample is None:
            continue
        for name, version in (("base", base), ("current", current)):
            root = directory / answer.question / name
            for relative, text in (_version_files(version)
                                   | record_files(answer.counterexample)).items():
                path = root / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written.append(path)
    return written
