"""Where the generator's own files are."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


def templates_dir() -> Path:
    """Inside the wheel the templates are package data; in a source checkout they sit beside the package."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


@cache
def runtime_exports(module: str) -> tuple[str, ...]:
    """The `__all__` of a runtime module (templates/runtime/<module>.py): the one list of what it exports."""
    tree = ast.parse((templates_dir() / "runtime" / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise LookupError(f"templates/runtime/{module}.py has no __all__")
