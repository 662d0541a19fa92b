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
# also offset_params, cursor_params (names detection looks for), and per operation, where detection cannot see it:
# pagination = {operations = {"GET /things" = {kind = "cursor", param = "after", token = "meta.next", more = "meta.more"}}}
#   kind: page (param, first), offset (param, limit, total), cursor (param, token or item_token, done, more),
#   url (body = "links.next"), link (the Link header), none; items = the array property, when it is ambiguous
idempotency_header = "Idempotency-Key"  # default: a header parameter of the spec named like it, if any
ref_roots = ["../shared-schemas"]       # folders besides the spec's own that a $ref may read (also top-level)
webhooks = {scheme = "standard-webhooks"}  # how the API signs its webhooks (or "hub-signature-256"): `unwrap`
changelog = "CHANGELOG.md"              # each generate appends the change report of the surface under the version

[tool.sdkforge.overrides.my_api]
"GET /checkout/supported_countries" = "misc.list_supported_countries"
"DELETE /products/{id}" = ["products.archive", "products.delete"]  # a method and its aliases
"POST /your-webhook-url" = []           # leave the operation out (listed in the summary)
```
"""

from __future__ import annotations

import keyword
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError
from .pointers import pointer

# How an API may sign its webhooks (lower/webhooks.py maps each to the runtime function that checks it).
WEBHOOK_SCHEMES = ("standard-webhooks", "hub-signature-256")


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
    pagination_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # offset_params, cursor_params
    pagination_operations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    idempotency_header: str | None = None
    ref_roots: tuple[Path, ...] = ()  # folders besides the spec's own that its `$ref`s may read
    webhook_scheme: str = ""  # how the API signs the webhooks it sends; "": only `unsafe_unwrap`
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
                **_pagination(entry.get("pagination"), where, at + "/pagination"),
                idempotency_header=_header_name(entry.get("idempotency_header"), where, at),
                ref_roots=_ref_roots(entry.get("ref_roots", settings.get("ref_roots", [])), root, where, at),
                webhook_scheme=_webhook_scheme(entry.get("webhooks"), where, at),
                changelog=_changelog(entry.get("changelog"), root, where, at),
            )
        )
    return targets


_NAME_LISTS = {"page_params": "page-number", "offset_params": "offset", "cursor_params": "cursor"}
_OPERATION_KEYS = {"kind", "param", "first", "limit", "total", "token", "item_token", "done", "more", "body", "items"}


def _pagination(value: object, where: str, at: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(where, at, "expected a table: {page_params = [...], operations = {...}}")
    found: dict[str, Any] = {"pagination_names": {}}
    for key, names in value.items():
        if key == "operations":
            found["pagination_operations"] = _paged_operations(names, where, at + "/operations")
        elif key not in _NAME_LISTS:
            raise SpecError(
                where, at + pointer(key), f"unknown setting; expected one of {', '.join(_NAME_LISTS)}, operations"
            )
        elif not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SpecError(where, at, f"expected {{{key} = [names of {_NAME_LISTS[key]} parameters]}}")
        elif key == "page_params":
            found["page_params"] = tuple(names)
        else:
            found["pagination_names"][key] = tuple(names)
    return found


def _paged_operations(value: object, where: str, at: str) -> dict[str, dict[str, str]]:
    from .lower.pagination import KINDS

    if not isinstance(value, dict):
        raise SpecError(where, at, 'expected {"METHOD /path" = {kind = "...", ...}}')
    table: dict[str, dict[str, str]] = {}
    for key, entry in value.items():
        entry_at = at + pointer(key)
        if not isinstance(entry, dict) or not all(isinstance(v, (str, int)) for v in entry.values()):
            raise SpecError(where, entry_at, "expected a table of strings")
        unknown = sorted(set(entry) - _OPERATION_KEYS)
        if unknown or entry.get("kind") not in KINDS:
            raise SpecError(
                where,
                entry_at,
                f"expected kind = one of {', '.join(KINDS)}; keys: {', '.join(sorted(_OPERATION_KEYS))}",
            )
        if entry["kind"] in ("page", "offset", "cursor") and not isinstance(entry.get("param"), str):
            raise SpecError(where, entry_at, f'a {entry["kind"]} pagination needs param = "the query parameter"')
        if not isinstance(entry.get("first", 1), int):
            raise SpecError(where, entry_at + "/first", "expected the number of the first page")
        table[key] = {k: str(v) for k, v in entry.items()}
    return table


def _header_name(value: object, where: str, at: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", value):
        raise SpecError(where, at + "/idempotency_header", "expected a header name")
    return value


def _ref_roots(value: object, root: Path, where: str, at: str) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(folder, str) for folder in value):
        raise SpecError(where, at + "/ref_roots", "expected a list of folders (relative to the config file)")
    return tuple(root / folder for folder in value)


def _webhook_scheme(value: object, where: str, at: str) -> str:
    if value is None:
        return ""
    scheme = value.get("scheme") if isinstance(value, dict) else None
    if scheme not in WEBHOOK_SCHEMES:
        raise SpecError(where, at + "/webhooks", f"expected {{scheme = {' or '.join(map(repr, WEBHOOK_SCHEMES))}}}")
    return str(scheme)


def _changelog(value: object, root: Path, where: str, at: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SpecError(where, at + "/changelog", "expected a file name (relative to the config file)")
    return root / value
