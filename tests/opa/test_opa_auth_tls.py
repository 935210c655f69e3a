"""OPA with token authentication and https: the right token and CA decide as native does; a
missing or wrong token, or an untrusted certificate, is exit 3, never an allow.

The authz policy and token are docs/opa.md's own example, so the documented setup is the
tested one. Certificates are made here, self-signed, for 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from tests.opa.certificates import self_signed
from tests.opa.opa_binary import OpaServer
from tests.support import AS_OF, REPO, RunLine

DOC = (REPO / "docs" / "opa.md").read_text()
ARGS = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", AS_OF.isoformat(),
        "--format", "json"]


def documented_authz() -> tuple[str, str]:
    """The authz policy and the example token from docs/opa.md."""
    marker = DOC.index("<!-- authz-example")
    policy = re.search(r"```rego\n(.*?)```", DOC[marker:], re.DOTALL)
    token = re.search(r"GOVERN_OPA_TOKEN=(\S+)", DOC[marker:])
    assert policy is not None and token is not None
    return policy.group(1), token.group(1)


AUTHZ, TOKEN = documented_authz()


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("certs")
    return {name: self_signed(directory, name) for name in ("server", "stranger")}


@pytest.fixture(scope="module")
def authz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("authz") / "authz.rego"
    path.write_text(AUTHZ)
    return path


AUTH_ARGS = ("--authentication=token", "--authorization=basic")


@pytest.fixture(scope="module")
def token_server(opa_bin: Path, authz_file: Path) -> Iterator[OpaServer]:
    with OpaServer(opa_bin, *AUTH_ARGS, str(authz_file)) as server:
        yield server


@pytest.fixture(scope="module")
def tls_token_server(opa_bin: Path, authz_file: Path,
                     certs: dict[str, tuple[Path, Path]]) -> Iterator[OpaServer]:
    with OpaServer(opa_bin, *AUTH_ARGS, str(authz_file), tls=certs["server"],
                   ca_file=certs["server"][0]) as server:
        yield server


def on_opa(run_line: RunLine, url: str, **env: str) -> Result:
    return run_line([*ARGS, "--engine", "opa", "--opa-url", url], env={"GOVERN_OPA_TIMEOUT": "5",
                                                                       **env})


def assert_refused(result: Result, url: str, cause: str) -> None:
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: engine failure: OPA server {url}"), result.stderr
    assert cause in result.stderr, result.stderr
    assert TOKEN not in result.stderr


# ---------------------------------------------------------------- the token


def test_the_right_token_decides_as_native(run_line: RunLine, token_server: OpaServer,
                                           tmp_path: Path) -> None:
    native = run_line(ARGS)
    by_value = on_opa(run_line, token_server.url, GOVERN_OPA_TOKEN=TOKEN)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")  # as `echo` or a mounted secret writes it
    by_file = on_opa(run_line, token_server.url, GOVERN_OPA_TOKEN_FILE=str(token_file))
    for result in (by_value, by_file):
        assert (result.exit_code, result.stdout) == (native.exit_code, native.stdout), \
            result.stderr


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x"])
def test_a_missing_or_wrong_token_is_exit_3(run_line: RunLine, token_server: OpaServer,
                                            token: str | None) -> None:
    env = {} if token is None else {"GOVERN_OPA_TOKEN": token}
    assert_refused(on_opa(run_line, token_server.url, **env), token_server.url,
                   "HTTP 401 unauthorized: request rejected by administrative policy")


# ---------------------------------------------------------------- https


def test_https_with_the_right_ca_bundle_decides_as_native(
        run_line: RunLine, tls_token_server: OpaServer,
        certs: dict[str, tuple[Path, Path]]) -> None:
    native = run_line(ARGS)
    result = on_opa(run_line, tls_token_server.url, GOVERN_OPA_TOKEN=TOKEN,
                    GOVERN_OPA_CA_BUNDLE=str(certs["server"][0]))
    assert (result.exit_code, result.stdout) == (native.exit_code, native.stdout), result.stderr


@pytest.mark.parametrize("ca", ["stranger", None])
def test_an_untrusted_certificate_is_exit_3(run_line: RunLine, tls_token_server: OpaServer,
                                            certs: dict[str, tuple[Path, Path]],
                                            ca: str | None) -> None:
    env = {"GOVERN_OPA_TOKEN": TOKEN}
    if ca is not None:
        env["GOVERN_OPA_CA_BUNDLE"] = str(certs[ca][0])
    assert_refused(on_opa(run_line, tls_token_server.url, **env), tls_token_server.url,
                   "TLS failure (CERTIFICATE_VERIFY_FAILED")


def test_https_with_a_wrong_token_is_exit_3(run_line: RunLine, tls_token_server: OpaServer,
                                            certs: dict[str, tuple[Path, Path]]) -> None:
    result = on_opa(run_line, tls_token_server.url, GOVERN_OPA_TOKEN="wrong-token",
                    GOVERN_OPA_CA_BUNDLE=str(certs["server"][0]))
    assert_refused(result, tls_token_server.url, "HTTP 401")
