"""Imports every module of a generated package (and _error_body), builds every pydantic model, and walks the
client's whole resource tree (which imports every resource lazily); prints what it saw as JSON.

    python tests/corpus/import_all.py PARENT_DIR PACKAGE
"""

import importlib
import inspect
import json
import pkgutil
import sys

import pydantic

sys.path.insert(0, sys.argv[1])
package = importlib.import_module(sys.argv[2])
# Imported only for type checkers by the package itself: at run time, an alias that does not evaluate goes unseen.
importlib.import_module(f"{package.__name__}._error_body")
modules, models = 0, 0
for sub in ("types", "resources"):
    base = importlib.import_module(f"{package.__name__}.{sub}")
    for info in pkgutil.walk_packages(base.__path__, base.__name__ + "."):
        module = importlib.import_module(info.name)
        modules += 1
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
                value.model_rebuild(force=True)
                models += 1
async_client = next(
    getattr(package, n) for n in package.__all__ if n.startswith("Async") and n not in ("AsyncAPIResponse",)
)
client_class = getattr(package, async_client.__name__.removeprefix("Async"))
kwargs: dict[str, object] = {"base_url": "http://127.0.0.1:9"}
OPTIONS = {"base_url", "environment", "timeout", "max_retries", "default_headers", "http_client"}
for name, param in inspect.signature(client_class).parameters.items():
    if name not in OPTIONS and param.kind is param.KEYWORD_ONLY:
        kwargs[name] = "token"  # a credential
resources = 0


def walk(node: object) -> None:
    global resources
    for name in dir(type(node)):
        if name.startswith("_") or name in ("with_raw_response", "with_streaming_response"):
            continue
        value = getattr(node, name)
        if type(value).__name__.endswith("Resource"):
            resources += 1
            walk(value)


walk(client_class(**kwargs))
print(json.dumps({"modules": modules, "models": models, "resources": resources}))
