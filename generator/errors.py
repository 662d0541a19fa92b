"""The one error type for bad input: it always names the file and a JSON pointer."""

from __future__ import annotations


class SpecError(Exception):
    """Raised for anything wrong with the input; the CLI prints it as one line and exits 2."""

    def __init__(self, file: str, pointer: str, message: str) -> None:
        super().__init__(file, pointer, message)
        self.file = file
        self.pointer = pointer
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}#{self.pointer}" if self.pointer else self.file
        # One line, always: spec text quoted in a message must not break it.
        return f"{where}: {self.message}".replace("\r", "\\r").replace("\n", "\\n")


class InternalError(Exception):
    """A bug in sdkforge met while lowering the object at `pointer`; the CLI asks for a report (exit 3)."""

    def __init__(self, file: str, pointer: str, cause: BaseException) -> None:
        super().__init__(file, pointer, cause)
        self.file = file
        self.pointer = pointer
        self.cause = cause

    def __str__(self) -> str:
        detail = f"{type(self.cause).__name__}: {self.cause}"
        return (
            (
                f"internal error while lowering {self.file}#{self.pointer} ({detail}); this is a bug in sdkforge,"
                " please report it with the spec (--debug shows the traceback)"
            )
            .replace("\r", "\\r")
            .replace("\n", "\\n")
        )
