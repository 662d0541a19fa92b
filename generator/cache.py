"""A record of what each input generated: `regenerate` and `check` over output that is already what the spec
gives (the pre-commit hook, `make generate` with the spec unchanged) read the files back from disk instead of
building them again.

The record holds only a hash per output file, never the files: a hit needs the package on disk, unedited, so a
fresh generation always builds. The key covers everything a build reads: the spec's bytes (and those of every
file it references, checked on lookup), the target's settings, the generator's code and templates, and the
Python and the installed distributions (by name and version). `--no-cache` or SDKFORGE_CACHE=off skips it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from .config import Target
from .paths import templates_dir

FORMAT = 1
MAX_ENTRIES = 64  # the oldest go first; an entry is a few hundred KB at the most (GitHub: 190 KB)


def root() -> Path:
    if os.environ.get("SDKFORGE_CACHE_DIR"):
        return Path(os.environ["SDKFORGE_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sdkforge"


def directory() -> Path | None:
    """Where builds are recorded; None when the build cache is off."""
    if os.environ.get("SDKFORGE_CACHE", "").lower() in ("off", "0", "no"):
        return None
    return root()


def compiled_templates() -> Path | None:
    """Where Jinja keeps the templates it compiled, as Python keeps bytecode (on even with the build cache off:
    it depends on no input). One folder per toolchain, the previous ones removed: Jinja checks a template's
    source, not the settings it was compiled with. None when it cannot be written."""
    folder = root() / f"templates-{_toolchain()[:16]}"
    try:
        if not folder.is_dir():
            for old in root().glob("templates-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def key(target: Target) -> str:
    """What a build of the target depends on, as one hash (its referenced files are checked on lookup)."""
    hasher = hashlib.sha256(f"{FORMAT}\n{_toolchain()}\n{target!r}\n".encode())
    hasher.update(_digest(target.spec).encode())
    return hasher.hexdigest()


def lookup(target: Target, key: str) -> tuple[dict[str, str], list[str]] | None:
    """The package's files as on disk, and the notes their build printed, when a build would give exactly
    these files; None otherwise (nothing recorded, a referenced file changed, a file edited or missing)."""
    entry = _read(target, key)
    if entry is None or any(_digest(Path(path)) != digest for path, digest in entry["sources"].items()):
        return None
    files: dict[str, str] = {}
    for rel, digest in entry["files"].items():
        try:
            data = (target.package_dir / rel).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            return None
        files[rel] = data.decode("utf-8")
    return files, entry["notes"]


def record(key: str, files: dict[str, str], notes: list[str], sources: tuple[Path, ...]) -> None:
    """Remembers a build; a cache that cannot be written is only slower."""
    folder = directory()
    if folder is None:
        return
    entry = {
        "sources": {str(path): _digest(path) for path in sources},
        "files": {rel: hashlib.sha256(text.encode("utf-8")).hexdigest() for rel, text in sorted(files.items())},
        "notes": notes,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(tmp, folder / f"{key}.json")
        entries = sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
        for stale in entries[MAX_ENTRIES:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass


def _read(target: Target, key: str) -> dict[str, Any] | None:
    folder = directory()
    if folder is None or not target.package_dir.is_dir():
        return None
    path = folder / f"{key}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        os.utime(path)  # recently used: evicted last
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and set(entry) == {"sources", "files", "notes"} else None


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


@cache
def _toolchain() -> str:
    """The generator's own files and the versions of what it runs: a change to any is a change of output."""
    package = Path(__file__).parent
    hasher = hashlib.sha256(sys.version.encode())
    for folder in (package, templates_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                hasher.update(f"{path.relative_to(folder)}\n".encode())
                hasher.update(path.read_bytes())
    # Every installed distribution's name and version (importlib.metadata takes longer than a whole hit).
    for site in sys.path:
        try:
            names = sorted(name for name in os.listdir(site or ".") if name.endswith(".dist-info"))
        except OSError:
            continue
        hasher.update("\n".join(names).encode())
    return hasher.hexdigest()
