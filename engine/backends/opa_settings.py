"""How to reach an OPA server, from the environment: timeout, bearer token, CA bundle.

The CLI hands ``os.environ`` to ``opa_environment`` (the engine itself never reads the
environment). Every problem is bad input, exit 2, naming the variable and what was read; the
token itself is never repeated in a message. A token is never taken from the command line, where
other users of the machine could read it in the process list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from govern.backends.opa_transport import tls_context_problem
from govern.errors import InputError, Problem
from govern.numbers import number_problem, parse_number

TIMEOUT_ENV = "GOVERN_OPA_TIMEOUT"
TOKEN_ENV = "GOVERN_OPA_TOKEN"
TOKEN_FILE_ENV = "GOVERN_OPA_TOKEN_FILE"
CA_BUNDLE_ENV = "GOVERN_OPA_CA_BUNDLE"

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 3600
"""An hour: longer is a typo, and the socket layer cannot represent every number the grammar
accepts."""
MAX_TOKEN_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class OpaEnvironment:
    """The OPA settings the environment gives; the defaults when it gives none."""

    timeout: float = DEFAULT_TIMEOUT
    """Seconds for each request to the server, from connect to the last byte of the answer."""
    token: str | None = field(default=None, repr=False)
    """Bearer token for OPA's ``--authentication=token``; never shown."""
    ca_bundle: Path | None = None
    """PEM file of the CA certificates that may sign the server's https certificate."""


def opa_environment(environ: Mapping[str, str]) -> OpaEnvironment:
    """Read and check every OPA variable; InputError listing every problem at once."""
    problems: list[Problem] = []
    timeout = _timeout(environ, problems)
    token = _token(environ, problems)
    ca_bundle = _ca_bundle(environ, problems)
    if problems:
        raise InputError(problems)
    return OpaEnvironment(timeout=timeout, token=token, ca_bundle=ca_bundle)


def _problem(variable: str, message: str, file: str = "-") -> Problem:
    return Problem(file, None, None, variable, message)


def _timeout(environ: Mapping[str, str], problems: list[Problem]) -> float:
    text = environ.get(TIMEOUT_ENV)
    if text is None:
        return DEFAULT_TIMEOUT
    problem = number_problem(text)
    if problem is None and not 0 < parse_number(text) <= MAX_TIMEOUT:
        problem = "out of range"
    if problem is not None:  # the value is quoted: an empty or blank one must show as such
        problems.append(_problem(TIMEOUT_ENV, f"read {text!r}: {problem}; expected seconds, "
                                              f"more than 0 and at most {MAX_TIMEOUT}"))
        return DEFAULT_TIMEOUT
    return float(parse_number(text))


def _token(environ: Mapping[str, str], problems: list[Problem]) -> str | None:
    inline, path = environ.get(TOKEN_ENV), environ.get(TOKEN_FILE_ENV)
    if inline is not None and path is not None:
        problems.append(_problem(TOKEN_ENV, f"set {TOKEN_ENV} or {TOKEN_FILE_ENV}, not both"))
        return None
    if path is not None:
        return _token_from_file(path, problems)
    if inline is None:
        return None
    return _checked_token(inline.strip(), TOKEN_ENV, "-", problems)


def _token_from_file(path: str, problems: list[Problem]) -> str | None:
    if not path:
        problems.append(_problem(TOKEN_FILE_ENV, "is set but empty"))
        return None
    try:
        with open(path, "rb") as f:
            content = f.read(MAX_TOKEN_FILE_BYTES + 1)
    except OSError as e:
        problems.append(_problem(TOKEN_FILE_ENV, f"cannot read: {e.strerror or e}", path))
        return None
    if len(content) > MAX_TOKEN_FILE_BYTES:
        problems.append(_problem(TOKEN_FILE_ENV, f"over {MAX_TOKEN_FILE_BYTES} bytes: not a "
                                                 "token file", path))
        return None
    return _checked_token(content.decode("latin-1").strip(), TOKEN_FILE_ENV, path, problems)


def _checked_token(token: str, variable: str, file: str, problems: list[Problem]) -> str | None:
    if not token:
        problems.append(_problem(variable, "the token is empty (an unset CI secret?)", file))
        return None
    bad = next((i for i, c in enumerate(token) if not "!" <= c <= "~"), None)
    if bad is not None:  # only visible ASCII can go in an Authorization header
        problems.append(_problem(variable, f"the token has a space, control or non-ASCII "
                                           f"character at position {bad + 1} (not shown)", file))
        return None
    return token


def _ca_bundle(environ: Mapping[str, str], problems: list[Problem]) -> Path | None:
    text = environ.get(CA_BUNDLE_ENV)
    if text is None:
        return None
    if not text:
        problems.append(_problem(CA_BUNDLE_ENV, "is set but empty"))
        return None
    path = Path(text)
    problem = ("not a file" if not path.is_file() else tls_context_problem(path))
    if problem is not None:
        problems.append(_problem(CA_BUNDLE_ENV, problem, text))
        return None
    return path
