"""Field descriptions from attribute docstrings, read from each module's source once.

The records document their fields with a docstring under each attribute; those become the
``description`` of the JSON Schemas and of ``govern list facts``. Pydantic's own
``use_attribute_docstrings`` finds each class's source by walking stack frames and tokenizing
its block again, about 6 ms a class on Python 3.11, which was half the cost of importing the
records. Here each module is parsed once and every class's docstrings are read from that tree,
with pydantic's rule: a string statement directly after an annotated attribute is its docstring.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any


@functools.cache
def _docstrings_of_module(module_name: str) -> dict[str, dict[str, str]]:
    """Class qualname -> attribute name -> cleaned docstring, for one module's source."""
    module = sys.modules.get(module_name)
    try:
        source = inspect.getsource(module) if module is not None else ""
    except (OSError, TypeError):  # no source (frozen, interactive): no descriptions
        return {}
    found: dict[str, dict[str, str]] = {}
    pending: list[tuple[str, ast.AST]] = [("", ast.parse(source))]
    while pending:
        prefix, node = pending.pop()
        for statement in getattr(node, "body", []):
            if isinstance(statement, ast.ClassDef):
                qualname = prefix + statement.name
                found[qualname] = _attribute_docstrings(statement)
                pending.append((qualname + ".", statement))
    return found


def _attribute_docstrings(cls: ast.ClassDef) -> dict[str, str]:
    docs: dict[str, str] = {}
    for before, after in zip(cls.body, cls.body[1:]):
        if (isinstance(before, ast.AnnAssign) and isinstance(before.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            docs[before.target.id] = inspect.cleandoc(after.value.value)
    return docs


def apply_attribute_docstrings(model: Any) -> None:
    """Give each field of a pydantic model class without a description its docstring.

    Call it before the model's schema is built (the model sets ``defer_build``): the schema
    takes its descriptions from the fields when it is built."""
    docs = _docstrings_of_module(model.__module__).get(model.__qualname__, {})
    for name, field in model.model_fields.items():
        if field.description is None and name in docs:
            field.description = docs[name]
