"""The limits on every value that comes from outside: files, arguments, web queries.

One table, used by every reader (cue sheet YAML/JSON/CSV, `cue import`, the
catalog files, the command line, the web page), so a value accepted on one
path is accepted on all of them, and a value refused is refused with the same
words. docs/limits.md lists them for users; a test checks the two agree.

Why limits at all: SQLite stores integers up to 2^63-1 and Python's sqlite3
raises OverflowError above that; a 50 MB title is a paste gone wrong that every
page would then print; a NUL byte ends a C string in other tools and is never
typed on purpose; a JSON or YAML document nested ten thousand deep exhausts
Python's recursion limit. Each bound is far above any real cue sheet.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from cuesheet.errors import InputError

# --- numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    low: int
    high: int
    what: str  # words for the message: "a season", "a cue number"


SEASON = Range(1, 999, "a season")
EPISODE = Range(1, 9_999, "an episode number")
CUE_NUMBER = Range(1, 9_999, "a cue number")
# Recordings before 1000 do not exist; a year past 2100 is a typo (a five-digit year or 0000).
YEAR = Range(1000, 2100, "a year")
SHOW_YEAR = Range(1900, 2100, "a show's year")
LIMIT = Range(1, 1_000, "a limit")
# Song ids, history ids, database ids typed by people.
ROW_ID = Range(1, 2**53, "an id")
# Times and lengths: an episode or a recording longer than a day is a typo (9999:00:00).
MAX_TIME_MS = 24 * 3600 * 1000

# --- text ------------------------------------------------------------------------------------

NAME = 500        # titles, artists, names, aliases, albums, versions, source keys
TEXT = 5_000      # scene descriptions, notes, what was heard, song text
QUERY = 200       # a search or identify query (a few remembered words)
# Control characters other than tab, newline and carriage return: never typed on purpose,
# and NUL cuts strings short in other programs reading the database or an export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Keys of the cue sheet formats whose values are long text; every other text value is a name.
LONG_TEXT_FIELDS = frozenset({"scene", "notes", "text", "heard", "song_notes", "usage_notes"})

# --- sizes of what is read ------------------------------------------------------------------
#
# Every input is read through cuesheet/files/read.py, which stops at these sizes: /dev/zero, a pipe
# that never ends or a 50 GB file by mistake is refused after reading this much, never
# read whole (memory stays far under 512 MB for any input).

FILE = 8 * 1024 * 1024          # a file read whole: an `identify --from` list, stdin
# A cue sheet file (one episode, or a CSV of a season): real ones are a few KB; PyYAML needs
# about 25 times a file's size in memory and a minute for 2 MB.
CUE_SHEET_FILE = 2 * 1024 * 1024
CONFIG_FILE = 1024 * 1024        # the config file (a few lines)
LINE = 1024 * 1024               # one line of a streamed catalog file (a row is a few hundred bytes)
ENV = 4096                       # an environment variable's value (a path: PATH_MAX)

# --- structure --------------------------------------------------------------------------------

# JSON/YAML nesting: a cue sheet is five levels deep (episode, cues, cue, songs, song, recording);
# anything past this is not a cue sheet, and Python's parsers recurse per level.
DEPTH = 32
# A CSV cell: at most TEXT characters are accepted; a cell past csv's own limit (131,072)
# is reported by the readers as a located "not valid CSV" error (they catch csv.Error).
CSV_FIELD = TEXT


def limit_for(field: str) -> int:
    """The length limit of a field, by its last name part (`cues[2].songs[0].notes` -> notes)."""
    last = re.sub(r"\[\d+\]", "", field.rsplit(".", 1)[-1])
    return TEXT if last in LONG_TEXT_FIELDS else NAME


def text_problem(value: str, limit: int) -> str | None:
    """Why `value` is not acceptable text, or None."""
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,}"
    m = _CONTROL.search(value)
    if m:
        return f"contains a control character (U+{ord(m.group()):04X}) at position {m.start() + 1}"
    m = _SURROGATE.search(value)
    if m:
        # An argument that was not UTF-8 (Python keeps its bytes as U+DC80-U+DCFF), or a JSON
        # "\ud800" escape: SQLite and every UTF-8 output refuse them later, with a traceback.
        code = ord(m.group())
        what = f"byte 0x{code - 0xDC00:02X}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        return f"is not valid UTF-8 text ({what} at position {m.start() + 1})"
    return None


def int_problem(value: int, bounds: Range) -> str | None:
    if value < bounds.low or value > bounds.high:
        shown = str(value) if len(str(value)) <= 20 else str(value)[:20] + "..."
        return f"{shown} is out of range for {bounds.what} ({bounds.low}-{_n(bounds.high)})"
    return None


def time_problem(ms: int) -> str | None:
    if ms > MAX_TIME_MS:
        return "is more than 24 hours; times are within an episode, lengths at most a day"
    return None


def check_int(value: int, field: str, bounds: Range, *, file: str | None = None,
              line: int | None = None) -> int:
    problem = int_problem(value, bounds)
    if problem:
        raise InputError(problem, file=file, line=line, field=field)
    return value


def parse_int(text: str, field: str, bounds: Range, *, file: str | None = None,
              line: int | None = None) -> int:
    """A whole number as typed in a CSV cell or an argument; digits only, within `bounds`."""
    t = text.strip()
    if not t.isascii() or not t.isdigit():
        raise InputError(f"expected a whole number, got {short(t)!r}", file=file, line=line, field=field)
    # More digits than any bound has: out of range, without asking int() for 5,000 digits.
    if len(t.lstrip("0")) > len(str(bounds.high)):
        raise InputError(f"{short(t)} is out of range for {bounds.what} ({bounds.low}-{_n(bounds.high)})",
                         file=file, line=line, field=field)
    return check_int(int(t), field, bounds, file=file, line=line)


def short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "..."


# --- nesting -------------------------------------------------------------------------------------


def yaml_depth_problem(text: str) -> tuple[str, int] | None:
    """(message, line) when a YAML or JSON text nests deeper than DEPTH, found without recursion.

    PyYAML's composer and constructor recurse once per level, so a document
    nested 10,000 deep raises RecursionError inside them; the scanner does not
    recurse, so the depth is measured on its tokens first.
    """
    import yaml

    opens = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
             yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
    closes = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    fast = getattr(yaml, "CSafeLoader", None)
    for loader in ([fast] if fast else []) + [yaml.SafeLoader]:
        depth = 0
        try:
            # libyaml's scanner first (ten times faster; the tokens are the same classes); it
            # stops at its own nesting limit, so a file it refuses is scanned again in Python.
            for token in yaml.scan(text, Loader=loader):
                if isinstance(token, opens):
                    depth += 1
                    if depth > DEPTH:
                        return (f"nested more than {DEPTH} levels deep; a cue sheet needs six",
                                token.start_mark.line + 1)
                elif isinstance(token, closes):
                    depth -= 1
        except yaml.YAMLError:
            continue
        return None
    return None  # the parser reports the syntax error itself, with its line


def json_depth_problem(text: str) -> str | None:
    """The same for one JSON value (a catalog .jsonl line), in one pass over the characters."""
    if text.count("[") + text.count("{") <= DEPTH:
        return None
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > DEPTH:
                return f"nested more than {DEPTH} levels deep"
        elif ch in "]}":
            depth -= 1
    return None


def _n(value: int) -> str:
    """9,999 and 2,100 read as numbers; years read as years."""
    return str(value) if value < 10_000 else f"{value:,}"


# --- environment values and path names (the viewer's fast path reads them: no imports) ----------


def env(name: str) -> str | None:
    """An environment variable's value, held to the limits of any text (cuesheet/notation/limits.py):
    at most 4,096 characters and no control characters, else one line naming the variable."""
    value = os.environ.get(name)
    if not value:
        return None
    problem = text_problem(value, ENV)
    if problem:
        raise InputError(problem, file="environment", field=name)
    return value


def check_path(path: Path, field: str | None = None) -> Path:
    """A path the system can take: no part longer than the file system allows (255 bytes) and
    the whole within PATH_MAX, so a 300-character name is one plain line, not an OSError
    from whichever call meets it first."""
    name = os.fsencode(path)
    if len(name) >= 4096 or any(len(part) > 255 for part in name.split(b"/")):
        raise InputError("the name is too long (at most 255 bytes a part, 4,096 in all)",
                         file=short(str(path)), field=field)
    return path
