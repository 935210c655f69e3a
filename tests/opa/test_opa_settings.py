"""Bad OPA settings in the environment are bad input: exit 2 naming the variable and what was
read, before anything is sent (no server is needed: the URL points where nothing listens)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from tests.opa.certificates import self_signed
from tests.support import AS_OF, RunLine

ARGS = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", AS_OF.isoformat()]
NOWHERE = "http://127.0.0.1:9"  # the discard port: were anything sent, it would be exit 3


def run_opa(run_line: RunLine, env: dict[str, str | None], url: str = NOWHERE) -> Result:
    return run_line([*ARGS, "--engine", "opa", "--opa-url", url], env=env)


def assert_bad_input(result: Result, *parts: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    for part in parts:
        assert part in result.stderr, result.stderr


@pytest.mark.parametrize(("text", "why"), [
    ("inf", "infinite"),
    ("nan", "not-a-number"),
    ("1e3", "exponent"),
    ("0x10", "hexadecimal"),
    ("-1", "out of range"),
    ("0", "out of range"),
    ("0.0", "out of range"),
    ("3601", "out of range"),
    ("9007199254740991", "out of range"),
    ("", "not a plain decimal number"),
    (" 5", "not a plain decimal number"),
    ("1_0", "digit separators"),
])
def test_a_timeout_outside_the_number_grammar_is_exit_2(run_line: RunLine, text: str,
                                                        why: str) -> None:
    assert_bad_input(run_opa(run_line, {"GOVERN_OPA_TIMEOUT": text}),
                     f"error: GOVERN_OPA_TIMEOUT: read {text!r}: ", why, "at most 3600")


def test_a_timeout_in_the_grammar_is_used(run_line: RunLine) -> None:
    result = run_opa(run_line, {"GOVERN_OPA_TIMEOUT": "0.25"})
    assert result.exit_code == 3 and "connection refused" in result.stderr, result.stderr


SECRET = "s3cret-value"


@pytest.mark.parametrize(("env", "parts"), [
    ({"GOVERN_OPA_TOKEN": SECRET, "GOVERN_OPA_TOKEN_FILE": "/x"},
     ["GOVERN_OPA_TOKEN: set GOVERN_OPA_TOKEN or GOVERN_OPA_TOKEN_FILE, not both"]),
    ({"GOVERN_OPA_TOKEN": ""}, ["GOVERN_OPA_TOKEN: the token is empty"]),
    ({"GOVERN_OPA_TOKEN": f"{SECRET} {SECRET}"}, ["GOVERN_OPA_TOKEN: the token has a space",
                                                  "position 13"]),
    ({"GOVERN_OPA_TOKEN": f"{SECRET}\r\nX-Evil: 1"}, ["GOVERN_OPA_TOKEN: the token has"]),
    ({"GOVERN_OPA_TOKEN_FILE": "/no/such/token"},
     ["/no/such/token: GOVERN_OPA_TOKEN_FILE: cannot read"]),
    ({"GOVERN_OPA_TOKEN_FILE": ""}, ["GOVERN_OPA_TOKEN_FILE: is set but empty"]),
    ({"GOVERN_OPA_CA_BUNDLE": "/no/such/ca.pem"},
     ["/no/such/ca.pem: GOVERN_OPA_CA_BUNDLE: not a file"]),
])
def test_bad_token_and_ca_settings_are_exit_2(run_line: RunLine,
                                              env: dict[str, str | None],
                                              parts: list[str]) -> None:
    result = run_opa(run_line, env)
    assert_bad_input(result, *parts)
    assert SECRET not in result.stderr  # a token is never repeated


def test_a_token_file_that_is_not_a_token_is_exit_2(run_line: RunLine, tmp_path: Path) -> None:
    empty, binary = tmp_path / "empty", tmp_path / "binary"
    empty.write_text("\n")
    binary.write_bytes(b"\x00\x01" + SECRET.encode())
    for path, part in ((empty, "the token is empty"), (binary, "position 1")):
        result = run_opa(run_line, {"GOVERN_OPA_TOKEN_FILE": str(path)})
        assert_bad_input(result, f"{path}: GOVERN_OPA_TOKEN_FILE: ", part)


def test_a_ca_bundle_that_is_not_pem_or_meets_http_is_exit_2(run_line: RunLine,
                                                             tmp_path: Path) -> None:
    junk = tmp_path / "ca.pem"
    junk.write_text("not a certificate\n")
    assert_bad_input(run_opa(run_line, {"GOVERN_OPA_CA_BUNDLE": str(junk)}, "https://127.0.0.1:9"),
                     f"{junk}: GOVERN_OPA_CA_BUNDLE: not a readable PEM CA bundle")
    certificate, _ = self_signed(tmp_path, "server")
    assert_bad_input(run_opa(run_line, {"GOVERN_OPA_CA_BUNDLE": str(certificate)}),
                     f"GOVERN_OPA_CA_BUNDLE: a CA bundle is set but {NOWHERE} is not https")


def test_every_problem_is_reported_at_once(run_line: RunLine) -> None:
    result = run_opa(run_line, {"GOVERN_OPA_TIMEOUT": "inf", "GOVERN_OPA_TOKEN": ""})
    assert_bad_input(result, "GOVERN_OPA_TIMEOUT", "GOVERN_OPA_TOKEN")


def test_opa_mode_is_a_real_option(run_line: RunLine) -> None:
    result = run_line([*ARGS, "--engine", "opa", "--opa-url", NOWHERE, "--opa-mode", "push"])
    assert result.exit_code == 2 and "--opa-mode" in result.stderr
