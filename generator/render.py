"""IR to source text: one Jinja template per kind of file, plus the static runtime copied in.

Templates only loop and print; every name, type and import was decided while lowering.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache

import jinja2

from .cache import compiled_templates
from .ir import Sdk, walk_resources
from .paths import templates_dir


def indent_docstring(text: str, width: int) -> str:
    """Layout only: continuation lines at the docstring's indentation, and a multi-line docstring closing on
    a line of its own (formatters do not re-indent attribute docstrings)."""
    if "\n" not in text:
        return text
    pad = " " * width
    first, *rest = text.split("\n")
    return "\n".join([first, *(pad + line if line else "" for line in rest)]) + "\n" + pad


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            super().dump_bytecode(bucket)


@cache
def environment() -> jinja2.Environment:
    compiled = compiled_templates()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "sdk")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a run; checking each one's mtime per file costs 25 ms
        # Compiling the templates takes 0.1 s, every run; loading them compiled, 5 ms.
        bytecode_cache=_CompiledTemplates(str(compiled)) if compiled else None,
    )
    env.filters["docstring"] = indent_docstring
    return env


def render(sdk: Sdk) -> Iterator[dict[str, str]]:
    """Relative path inside the package -> file content (not yet formatted), in two batches: the type modules,
    the bulk, first, so that they are formatted while the rest renders. All files but the manifest, which
    `surface.text` gives."""
    env = environment()
    header = "\n".join(sdk.header)

    def rendered(template: str, **context: object) -> str:
        return env.get_template(template).render(sdk=sdk, header=header, **context)

    types = {"types/__init__.py": rendered("types_init.py.j2")}
    for module in sdk.type_modules:
        types[f"types/{module.name}.py"] = rendered("types_module.py.j2", module=module)
    yield types
    modules = ("__init__.py", "_client.py", "_error_body.py", "_version.py", "testing.py")
    files = {name: rendered(f"{name}.j2") for name in modules}
    if sdk.docs is not None:
        files["README.md"] = rendered("README.md.j2")
        files["api.md"] = rendered("api.md.j2")
    for source in sorted((templates_dir() / "runtime").glob("*.py")):
        files[source.name] = header + "\n\n" + source.read_text(encoding="utf-8")
    files["py.typed"] = ""
    files["resources/__init__.py"] = rendered("package_init.py.j2")
    for _, resource in walk_resources(sdk.resources):
        files[resource.path] = rendered("resource.py.j2", resource=resource)
    yield files
