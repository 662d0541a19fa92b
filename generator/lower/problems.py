"""What the Python types cannot say exactly. Lowering types such a schema by the nearest wider type and records a
Widening; under `--strict` every widening is an error instead (Unsupported, then a SpecError, exit 2)."""

from __future__ import annotations

from dataclasses import dataclass


class Unsupported(Exception):
    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(pointer, reason)
        self.pointer = pointer
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.pointer}: {self.reason}"


@dataclass(frozen=True)
class Widening:
    pointer: str
    kind: str  # a short tag, counted in the corpus table: not, if, allOf, enum, const, recursion, ...
    reason: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.pointer}: {self.reason}"


class Widenings:
    """The widenings of one run, each pointer and kind once (a schema may be lowered for both sides)."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.found: list[Widening] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, pointer: str, kind: str, reason: str) -> None:
        if self.strict:
            raise Unsupported(pointer, f"{reason} (a widening; --strict refuses it)")
        if (pointer, kind) not in self._seen:
            self._seen.add((pointer, kind))
            self.found.append(Widening(pointer, kind, reason))
