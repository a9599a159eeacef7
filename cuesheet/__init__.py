"""cuesheet: a soundtrack cue catalog and song identifier."""

from cuesheet.errors import (
    CuesheetError,
    InputError,
    InputErrors,
    NotFound,
    ParseError,
    SourceError,
)

__version__ = "0.1.0"

__all__ = [
    "CuesheetError",
    "InputError",
    "InputErrors",
    "NotFound",
    "ParseError",
    "SourceError",
    "__version__",
]
