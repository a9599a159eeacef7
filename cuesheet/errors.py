"""One error family: the CLI prints any CuesheetError as one line and exits 1."""

from __future__ import annotations


class CuesheetError(Exception):
    """A mistake the user can fix; never shown with a traceback."""

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        return f"{self.message} ({self.remedy})" if self.remedy else self.message


class InputError(CuesheetError):
    """Bad input in a file or argument, located by file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        remedy: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        where = ":".join(str(p) for p in (file, line) if p is not None)
        prefix = where + ": " if where else ""
        if field:
            prefix += f"{field}: "
        super().__init__(prefix + message, remedy=remedy)


class ParseError(InputError):
    """Text in a notation (episode, timecode, id) that cuesheet cannot read."""


class NotFound(CuesheetError):
    """A show, episode, cue or recording that is not in the database."""


class SourceError(CuesheetError):
    """A metadata source failed (network, HTTP status, garbage) after retries."""


class InputErrors(CuesheetError):
    """Several input errors found in one pass, so a curator fixes them all at once."""

    def __init__(self, errors: list[InputError], *, remedy: str | None = None) -> None:
        self.errors = errors
        first = str(errors[0]) if errors else "invalid input"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more, remedy=remedy)


class DatabaseBusy(CuesheetError):
    """Another writer held the write lock past the busy timeout: nothing was written, and the
    caller may keep what the curator typed (a draft) and try again later."""


class NumberTaken(InputError):
    """A cue number another curator took between the offer and the save; `free` is the next one."""

    def __init__(self, message: str, *, number: int, free: int, remedy: str | None = None) -> None:
        super().__init__(message, field="number", remedy=remedy)
        self.number = number
        self.free = free
