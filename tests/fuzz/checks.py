"""What every fuzzed document must satisfy: refused with exit 2 and one line naming the file (nothing written),
or generated into a package that compiles, imports (every module), and whose models round-trip instances of
their schemas (validated as the runtime does, from JSON text, and from Python data; dumped by alias; equal)."""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import pydantic
import yaml

from generator.cli import main
from generator.lower import RUNTIME_NAMES
from generator.lower.names import Namespace, class_name

from .strategies import Document, utf8


def write_spec(doc: Document, path: Path, *, as_yaml: bool) -> Path:
    """The document as JSON (surrogates as \\u escapes), or as YAML when YAML can carry it."""
    if as_yaml and not utf8(json.dumps(doc.raw, ensure_ascii=False)):
        as_yaml = False  # YAML has no escape for a lone surrogate (libyaml refuses `\ud800`): JSON can say it
    if as_yaml:
        try:
            text = yaml.safe_dump(doc.raw, allow_unicode=True, sort_keys=False, width=1 << 16)
        except yaml.YAMLError:
            as_yaml = False
        else:
            target = path.with_suffix(".yaml")
            target.write_bytes(text.encode("utf-8", "surrogatepass"))
            return target
    target = path.with_suffix(".json")
    target.write_text(json.dumps(doc.raw, ensure_ascii=True), encoding="ascii")
    return target


def run_cli(spec: Path, out: Path, package: str) -> tuple[int, str]:
    """The real command line, in this process (much faster than a subprocess per example)."""
    stderr, stdout = io.StringIO(), io.StringIO()
    collecting = gc.isenabled()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            code = main(["generate", str(spec), "--output", str(out), "--package", package])
    finally:
        if collecting:
            gc.enable()  # the CLI turns the collector off for its (short-lived) process
    return code, stderr.getvalue()


def check_outcome(code: int, stderr: str, spec: Path, package_dir: Path) -> bool:
    """True when a package was generated; False when the document was refused as it should be."""
    lines = re.split(r"\r\n|\r|\n", stderr.removesuffix("\n"))  # the line breaks of terminals and CI logs
    assert code in (0, 2), f"exit {code} (3 is an internal error):\n{stderr}"
    assert "Traceback" not in stderr, stderr
    if code == 2:
        assert len(lines) == 1, f"a refusal is one line, got {len(lines)}:\n{stderr}"
        assert lines[0].startswith(f"sdkforge: error: {spec.name}"), lines[0]
        assert not package_dir.exists(), "a refused document wrote files"
        return False
    assert all(line.startswith("sdkforge: ") for line in lines), f"stderr lines must each be one message:\n{stderr}"
    assert package_dir.is_dir()
    return True


def import_everything(package_dir: Path) -> Any:
    """Compile every file, then import the package and every module in it (types and resources included)."""
    for module in sorted(package_dir.rglob("*.py")):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    if str(package_dir.parent) not in sys.path:
        sys.path.insert(0, str(package_dir.parent))
    package = importlib.import_module(package_dir.name)
    for module in sorted(package_dir.rglob("*.py")):
        parts = module.relative_to(package_dir.parent).with_suffix("").parts
        importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return package


def component_classes(doc: Document, types_module: Any) -> dict[str, Any]:
    """Each component's generated type, by the naming rule of lowering: components claim their names first, in
    document order, after the runtime's names."""
    names = Namespace(RUNTIME_NAMES)
    return {key: getattr(types_module, names.claim(class_name(key))) for key in doc.components}


def round_trip(target: Any, instance: Any) -> None:
    """Validate (from Python data, and from JSON text as the runtime does), dump by alias, compare."""
    if instance is None and isinstance(target, type) and issubclass(target, pydantic.BaseModel):
        target = target | None  # a nullable object component is a class; None is added where it is used
    adapter = pydantic.TypeAdapter(target)
    results = [adapter.validate_python(instance)]
    text = json.dumps(instance, ensure_ascii=False)
    if utf8(text):
        results.append(adapter.validate_json(text.encode("utf-8")))  # lone surrogates are not JSON (RFC 8259 8.1)
    for result in results:
        dumped = adapter.dump_python(result, mode="json", by_alias=True, exclude_unset=True, warnings="error")
        assert json_equal(dumped, instance), f"round trip changed the value:\n  in:  {instance!r}\n  out: {dumped!r}"


def json_equal(a: Any, b: Any) -> bool:
    """Equal as JSON values: numbers by value (1 and 1.0 are one JSON number), but booleans are not numbers,
    arrays keep their order, objects compare as key sets."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b
