"""Targets from `[tool.sdkforge]` in pyproject.toml, merged with command-line flags.

```toml
[tool.sdkforge]
formatter = "ruff"                      # or "black"

[[tool.sdkforge.targets]]
spec = "specs/api.yaml"
output = "generated"                    # the package is written to <output>/<package>/
package = "my_api"
client_name = "MyAPI"                   # default: from the package name
env_prefix = "MY_API_"                  # default: from the package name
overrides = "my_api"                    # a table under [tool.sdkforge.overrides], or an inline table
pagination = {page_params = ["p"]}      # page-number query parameters (default: page, page_number, ...); [] = off
ref_roots = ["../shared-schemas"]       # folders besides the spec's own that a $ref may read (also top-level)
changelog = "CHANGELOG.md"              # each generate appends the change report of the surface under the version

[tool.sdkforge.overrides.my_api]
"GET /checkout/supported_countries" = "misc.list_supported_countries"
"DELETE /products/{id}" = ["products.archive", "products.delete"]  # a method and its aliases
"POST /your-webhook-url" = []           # leave the operation out (listed in the summary)
```
"""

from __future__ import annotations

import keyword
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError
from .pointers import pointer


@dataclass(frozen=True)
class Target:
    spec: Path
    spec_label: str  # how the spec is named in messages
    output: Path
    package: str
    client_name: str | None = None
    env_prefix: str | None = None
    version: str | None = None
    formatter: str = "ruff"
    overrides: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool = False  # every widening is an error
    page_params: tuple[str, ...] | None = None
    ref_roots: tuple[Path, ...] = ()  # folders besides the spec's own that its `$ref`s may read
    source: str = ""  # how file headers name the spec: as the config does, or its file name; never cwd-relative
    changelog: Path | None = None  # a markdown file the change report is appended to on every generate

    @property
    def package_dir(self) -> Path:
        return self.output / self.package


def find_pyproject(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_settings(pyproject: Path | None) -> dict[str, Any]:
    if pyproject is None:
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(str(pyproject), "", f"cannot read configuration: {exc}") from None
    settings = data.get("tool", {}).get("sdkforge", {})
    if not isinstance(settings, dict):
        raise SpecError(str(pyproject), "/tool/sdkforge", "must be a table")
    return settings


def label_for(path: Path, root: Path) -> str:
    """Relative to the project root when inside it (stable across machines), else the file name."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def overrides_for(
    value: object, settings: dict[str, Any], where: str, at: str = "/tool/sdkforge/overrides"
) -> dict[str, tuple[str, ...]]:
    """An override maps "METHOD /path" or an operationId to "resource.method", to a list of such names (the
    first is the method, the rest aliases of it, on the same resource), or to an empty list (leave the
    operation out). Checked here, once: an error names the config file and the entry. `at` is where an
    inline table is; a table named by a string is under [tool.sdkforge.overrides]."""
    if value is None:
        return {}
    if isinstance(value, str):
        name, tables = value, settings.get("overrides", {})
        if name not in tables:
            raise SpecError(where, "/tool/sdkforge/overrides", f"no override table named {name!r}")
        value, at = tables[name], pointer("tool", "sdkforge", "overrides", name)
    if not isinstance(value, dict):
        raise SpecError(where, at, "an override table must be a table")
    table: dict[str, tuple[str, ...]] = {}
    for key, target in value.items():
        names = [target] if isinstance(target, str) else target
        entry = at + pointer(key)
        if not isinstance(names, list) or not all(isinstance(n, str) and _is_dotted_name(n) for n in names):
            raise SpecError(where, entry, "expected 'resource.method' (Python names, not keywords) or a list of them")
        resources = {name.rsplit(".", 1)[0] for name in names}
        if len(resources) > 1:
            raise SpecError(where, entry, f"aliases must be on resource {names[0].rsplit('.', 1)[0]!r}")
        table[key] = tuple(names)
    return table


def _is_dotted_name(name: str) -> bool:
    parts = name.split(".")
    return len(parts) > 1 and all(part.isidentifier() and not keyword.iskeyword(part) for part in parts)


def targets_from_settings(settings: dict[str, Any], root: Path, where: str) -> list[Target]:
    targets = []
    for index, entry in enumerate(settings.get("targets", [])):
        at = f"/tool/sdkforge/targets/{index}"
        for key in ("spec", "output", "package"):
            if not isinstance(entry.get(key), str):
                raise SpecError(where, at, f"target needs a string '{key}'")
        spec = root / entry["spec"]
        targets.append(
            Target(
                spec=spec,
                spec_label=label_for(spec, root),
                source=Path(entry["spec"]).as_posix(),
                output=root / entry["output"],
                package=entry["package"],
                client_name=entry.get("client_name"),
                env_prefix=entry.get("env_prefix"),
                version=entry.get("version"),
                formatter=entry.get("formatter", settings.get("formatter", "ruff")),
                overrides=overrides_for(entry.get("overrides"), settings, where, at + "/overrides"),
                strict=bool(entry.get("strict", settings.get("strict", False))),
                page_params=_page_params(entry.get("pagination"), where, at),
                ref_roots=_ref_roots(entry.get("ref_roots", settings.get("ref_roots", [])), root, where, at),
                changelog=_changelog(entry.get("changelog"), root, where, at),
            )
        )
    return targets


def _page_params(value: object, where: str, at: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = value.get("page_params") if isinstance(value, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SpecError(where, at + "/pagination", "expected {page_params = [names of page-number parameters]}")
    return tuple(names)


def _ref_roots(value: object, root: Path, where: str, at: str) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(folder, str) for folder in value):
        raise SpecError(where, at + "/ref_roots", "expected a list of folders (relative to the config file)")
    return tuple(root / folder for folder in value)


def _changelog(value: object, root: Path, where: str, at: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SpecError(where, at + "/changelog", "expected a file name (relative to the config file)")
    return root / value
