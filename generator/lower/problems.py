"""What the generator cannot express. Raised while lowering; becomes a SpecError (exit 2) unless the user
asked to skip unsupported parts, in which case the operation is left out and listed."""

from __future__ import annotations


class Unsupported(Exception):
    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(pointer, reason)
        self.pointer = pointer
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.pointer}: {self.reason}"
