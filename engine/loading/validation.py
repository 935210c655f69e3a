"""Stage two of loading: a parsed document against its record model, errors made readable.

Pydantic reports union alternatives and internal tags in its error locations; here every
error is mapped back to the key the user wrote, with its line and column, and phrased for a
person ("unknown key 'efect' (did you mean 'effect'?)").
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ValidationError

from govern.conditions import OPERATORS
from govern.errors import Problem, did_you_mean
from govern.loading.yaml_source import LoadedYaml, YamlPath


@functools.cache
def keys_of(model: type[BaseModel]) -> frozenset[str]:
    """Every key a record of this kind may have, at any depth: where 'did you mean'
    suggestions for that kind come from."""
    words: set[str] = set(OPERATORS) | {"fact", "all", "any", "not"}
    seen: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            words.add(info.alias or name)
            for arg in _types_in(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    visit(arg)

    visit(model)
    return frozenset(words)


def _types_in(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_types_in(arg))
    return found


def _data_path(data: Any, loc: tuple[int | str, ...]) -> YamlPath:
    """Keep the parts of a pydantic location that are real keys or indexes of the data.

    The rest are the tags pydantic adds for union alternatives ('FactRef', 'float'), except a
    last part naming a key the mapping lacks: that is the missing key the error is about.
    """
    path: list[str | int] = []
    for i, part in enumerate(loc):
        known_key = isinstance(data, dict) and part in data
        known_index = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if known_key and _is_union_tag(data, loc, i):
            continue
        if known_key or known_index:
            data = data[part]
            path.append(part)
        elif isinstance(data, dict) and i == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _is_union_tag(data: dict[str, Any], loc: tuple[int | str, ...], i: int) -> bool:
    """A condition's union tags ('all', 'any', 'not') are also its keys: in
    ``{all: [...], bogus: 1}`` the location is ``when, all, bogus``, where ``all`` is the tag and
    ``bogus`` the key of the same mapping. A part is a tag when the next part is a key of this
    mapping and not of the value under the part."""
    following = loc[i + 1] if i + 1 < len(loc) else None
    if not isinstance(following, str) or following not in data:
        return False
    value = data[str(loc[i])]
    return not (isinstance(value, dict) and following in value)


_EXPECTS_TEXT = ("string_type", "literal_error", "string_pattern_mismatch", "enum")
_EXPECTS_NUMBER = ("float_type", "int_type", "float_parsing", "int_parsing", "int_from_float")


def _misread_scalar(error: Any, written: str | None) -> str | None:
    """A value of the wrong YAML type, phrased as what YAML read and how to write it instead:
    a boolean or number where text is expected, text where a number is expected."""
    kind, value = error["type"], error.get("input")
    shown = written if written is not None else repr(value)
    if kind in _EXPECTS_TEXT and isinstance(value, bool):
        return (f"YAML read {shown} as a boolean, not text; quote it ('{shown}') if you mean "
                f"the text ({error['msg'].removeprefix('Value error, ')})")
    if kind in _EXPECTS_TEXT and isinstance(value, int | float):
        return (f"YAML read {shown} as a number, not text; quote it ('{shown}') if you mean "
                f"the text ({error['msg'].removeprefix('Value error, ')})")
    if kind in _EXPECTS_NUMBER and isinstance(value, bool):
        return f"expected a number, but YAML read {shown} as a boolean"
    if kind in _EXPECTS_NUMBER and isinstance(value, str):
        return (f"expected a number, got the text {value!r}; write a plain decimal number "
                "such as 640, 0.5 or -3, without quotes")
    if kind == "bool_type" and isinstance(value, str):
        return f"expected true or false without quotes, got the text {value!r}"
    return None


def _phrase(error: Any, path: YamlPath, vocabulary: frozenset[str],
            written: str | None = None) -> str:
    kind = error["type"]
    key = path[-1] if path else "-"
    misread = _misread_scalar(error, written)
    if misread is not None:
        return misread
    if kind == "extra_forbidden" and "when" in path[:-1]:
        # Inside a condition every key is a connective, 'fact' or an operator.
        from govern.conditions import OPERATORS

        words = sorted(OPERATORS)
        hint = did_you_mean(str(key), words + ["all", "any", "not", "fact"])
        return f"unknown operator '{key}'{hint}; operators: {', '.join(words)}"
    if kind == "extra_forbidden":
        return f"unknown key{did_you_mean(str(key), vocabulary)}"
    if kind == "missing":
        return "missing required key"
    if kind == "string_pattern_mismatch" and key == "fact":
        return (f"not a fact path: {error['input']!r} (a fact starts with model., option., "
                "task., profile. or derived.; 'govern list facts' shows them all)")
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def validate_record(loaded: LoadedYaml, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    """Validate a parsed document; return the record, or None and every problem found."""
    if not isinstance(loaded.data, dict):
        return None, [loaded.problem((), f"expected a mapping of keys to values, "
                                          f"got {type(loaded.data).__name__}")]
    try:
        return model.model_validate(loaded.data), []
    except ValidationError as e:
        return None, _problems(loaded, e, keys_of(model))


def _problems(loaded: LoadedYaml, error: ValidationError,
              vocabulary: frozenset[str]) -> list[Problem]:
    by_path: dict[YamlPath, list[Any]] = {}
    for item in error.errors():
        by_path.setdefault(_data_path(loaded.data, item["loc"]), []).append(item)
    problems = []
    for path, items in by_path.items():
        # Of a union's alternatives, the literal's complaint reads better than "not a mapping".
        preferred = [i for i in items if i["type"] not in ("model_type", "dict_type")] or items
        written = loaded.scalar_texts.get(path)
        messages = list(dict.fromkeys(_phrase(i, path, vocabulary, written)
                                      for i in preferred))
        problems.append(loaded.problem(path, "; or ".join(messages)))
    return problems
