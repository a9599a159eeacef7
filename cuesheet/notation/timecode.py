"""Times people type (`23:10`, `1h2m3s`, SMPTE `00:23:10:12`) as integer milliseconds, and back.

Everything is stored as integer ms (formats.md 5.2), so comparing a viewer's
"about 23 minutes in" with a cue sheet's timecode needs no float care.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from cuesheet.errors import ParseError

DEFAULT_FPS = 23.976
"""Frame rate for `hh:mm:ss:ff` when the caller gives none.

Streaming masters are mostly 23.976 (formats.md 5.2). It counts 24 frames a
second (non-drop) but each frame lasts 1001/24000 s, so `00:23:10:12` is
23:11.891 of real time, not 23:10.500. Assuming plain 24 would put every
timecode ~3.6 s/hour early without saying so; pass `fps` when it is known.
"""

ACCEPTED = (
    "m:ss, h:mm:ss, hh:mm:ss.mmm (or ,mmm), hh:mm:ss:ff (SMPTE non-drop, 23.976 fps), "
    "hh:mm:ss;ff (29.97 drop-frame), 23m10s, 1h2m3s, 95s, or seconds (95, 95.5)"
)

_F = re.ASCII | re.IGNORECASE  # ASCII: `\d` would also take Arabic-Indic digits, which int() accepts
# Digit counts are capped: int() refuses very long strings, and no episode runs for years.
_LEAD = r"([0-9]{1,6})"
_FRAC = r"(?:[.,]([0-9]{1,9}))?"
# `.` before the last field is read as a decimal point, never as drop-frame frames
# (formats.md mentions `hh:mm:ss.ff`): `00:23:10.50` as frames would silently move it.
_CLOCK = re.compile(_LEAD + r"(?::([0-9]{2}))?:([0-9]{2})" + _FRAC, _F)
_TIMECODE = re.compile(r"([0-9]{1,2}):([0-9]{2}):([0-9]{2})([:;])([0-9]{1,2})", _F)
_UNITS = re.compile(
    r"(?:([0-9]{1,6})\s*h)?\s*(?:([0-9]{1,6})\s*m)?\s*(?:([0-9]{1,6})(?:\.([0-9]{1,9}))?\s*s)?", _F
)
_SECONDS = re.compile(r"([0-9]{1,6})(?:\.([0-9]{1,9}))?", _F)


def parse_time(text: str, *, fps: float | None = None) -> int:
    """Milliseconds from any time notation in formats.md 5.2.

    `fps` only matters for frame timecodes: `hh:mm:ss:ff` defaults to
    DEFAULT_FPS (23.976), `hh:mm:ss;ff` to 29.97 drop-frame.
    """
    s = text.strip()
    if m := _TIMECODE.fullmatch(s):
        return _timecode_ms(text, m, fps)
    if m := _CLOCK.fullmatch(s):
        lead, mid, sec, frac = m.groups()
        if mid is None:
            hours, minutes = 0, int(lead)
        else:
            hours, minutes = int(lead), _below_60(text, mid, "minutes")
        seconds = _below_60(text, sec, "seconds")
        return ((hours * 60 + minutes) * 60 + seconds) * 1000 + _frac_ms(frac)
    if (m := _UNITS.fullmatch(s)) and any(m.groups()):
        h, mi, sec, frac = m.groups()
        parts = [(h, "hours"), (mi, "minutes"), (sec, "seconds")]
        given = [(int(v), name) for v, name in parts if v is not None]
        # Only the leading unit may overflow (`95s`, `75m`); `23m75s` is a typo, not 24:15.
        for value, name in given[1:]:
            if value >= 60:
                raise _bad(text, f"{name} must be under 60")
        hours, minutes, seconds = (int(v) if v else 0 for v, _ in parts)
        return ((hours * 60 + minutes) * 60 + seconds) * 1000 + _frac_ms(frac)
    if m := _SECONDS.fullmatch(s):
        return int(m.group(1)) * 1000 + _frac_ms(m.group(2))
    raise _bad(text)


def _timecode_ms(text: str, m: re.Match[str], fps: float | None) -> int:
    hh, mm, ss, sep, ff = (m.group(i) for i in range(1, 6))
    hours, minutes, seconds, frame = int(hh), _below_60(text, mm, "minutes"), _below_60(text, ss, "seconds"), int(ff)
    drop = sep == ";"
    nominal, rate = _rate(fps if fps is not None else (29.97 if drop else DEFAULT_FPS))
    if frame >= nominal:
        raise _bad(text, f"frames must be under {nominal} at {_fps_label(rate)} fps")
    frames = ((hours * 60 + minutes) * 60 + seconds) * nominal + frame
    if drop:
        if rate.denominator == 1 or nominal not in (30, 60):
            raise _bad(text, f"drop-frame (;) exists only at 29.97 and 59.94 fps, not {_fps_label(rate)}")
        dropped = nominal // 15  # 2 labels a minute at 29.97, 4 at 59.94
        if seconds == 0 and frame < dropped and minutes % 10 != 0:
            raise _bad(
                text, f"drop-frame skips frames 0-{dropped - 1} at the start of minutes not divisible by 10"
            )
        total_minutes = hours * 60 + minutes
        frames -= dropped * (total_minutes - total_minutes // 10)
    return _round(Fraction(frames * 1000) / rate)


def format_time(ms: int) -> str:
    """`3:07` under an hour, `1:02:03` above: what a player's progress bar shows."""
    if ms < 0:
        return "-" + format_time(-ms)
    total = (ms + 500) // 1000  # nearest second, halves up
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def format_timecode(ms: int, fps: float = DEFAULT_FPS, *, drop_frame: bool = False) -> str:
    """`hh:mm:ss:ff` (or `;ff` drop-frame) for the nearest frame; parse_time reads it back."""
    if ms < 0:
        raise ValueError("timecodes cannot be negative")
    nominal, rate = _rate(fps)
    frames = _round(Fraction(ms) * rate / 1000)
    if drop_frame:
        if rate.denominator == 1 or nominal not in (30, 60):
            raise ValueError(f"drop-frame exists only at 29.97 and 59.94 fps, not {fps}")
        # Inverse of the drop-frame formula: add back the labels skipped so far.
        dropped = nominal // 15
        per_10min = nominal * 600 - 9 * dropped
        per_min = nominal * 60 - dropped
        tens, rem = divmod(frames, per_10min)
        frames += 9 * dropped * tens + (dropped * ((rem - dropped) // per_min) if rem > dropped else 0)
    seconds, ff = divmod(frames, nominal)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}{';' if drop_frame else ':'}{ff:02d}"


def format_duration(ms: int) -> str:
    """`mm:ss` for a cue sheet's timing column.

    Partial seconds round up: a 0.4 s sting is still a use to report (never
    `00:00`), and societies pay by duration, so rounding down under-reports.
    formats.md calls rounding up common but not universal.
    """
    if ms < 0:
        raise ValueError("a duration cannot be negative")
    total = -(-ms // 1000)
    return f"{total // 60:02d}:{total % 60:02d}"


def _rate(fps: float) -> tuple[int, Fraction]:
    """(frames counted per second, real frames per second): 23.976 -> (24, 24000/1001)."""
    if isinstance(fps, (int, float)) and math.isfinite(fps) and 0.5 < fps <= 120:
        nominal = round(fps)
        if abs(fps - nominal) < 1e-6:
            return nominal, Fraction(nominal)
        # 23.976, 29.97, 59.94 are the NTSC rates nominal × 1000/1001; people type them rounded.
        if abs(fps - nominal * 1000 / 1001) < 0.005:
            return nominal, Fraction(nominal * 1000, 1001)
    raise ParseError(
        f"{fps!r} is not a frame rate cuesheet knows",
        field="fps",
        remedy="use 23.976, 24, 25, 29.97, 30, 50, 59.94 or 60",
    )


def _fps_label(rate: Fraction) -> str:
    return f"{float(rate):.3f}".rstrip("0").rstrip(".")


def _below_60(text: str, digits: str, name: str) -> int:
    value = int(digits)
    if value >= 60:
        raise _bad(text, f"{name} must be under 60")
    return value


def _frac_ms(digits: str | None) -> int:
    return _round(Fraction(int(digits) * 1000, 10 ** len(digits))) if digits else 0


def _round(x: Fraction) -> int:
    """Nearest integer, halves up (round() on a Fraction rounds halves to even)."""
    return math.floor(x + Fraction(1, 2))


def _bad(text: str, why: str | None = None) -> ParseError:
    return ParseError(f"{text!r} is not a time" + (f": {why}" if why else ""), remedy="use " + ACCEPTED)
