"""Time notations (formats.md 5.2) to ms and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuesheet.errors import ParseError
from cuesheet.notation.timecode import format_duration, format_time, format_timecode, parse_time

H, M, S = 3_600_000, 60_000, 1_000


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("3:07", 3 * M + 7 * S),
        ("23:10", 23 * M + 10 * S),
        ("75:30", 75 * M + 30 * S),  # minutes may exceed 59
        ("0:00", 0),
        ("1:02:03", H + 2 * M + 3 * S),
        ("00:23:10.500", 23 * M + 10 * S + 500),
        ("00:23:10,500", 23 * M + 10 * S + 500),  # SRT
        ("00:23:10.5", 23 * M + 10 * S + 500),
        ("3:07.25", 3 * M + 7 * S + 250),
        ("00:00:00.0005", 1),  # halves round up
        ("23m10s", 23 * M + 10 * S),
        ("1h2m3s", H + 2 * M + 3 * S),
        ("1h 2m 3s", H + 2 * M + 3 * S),
        ("95s", 95 * S),
        ("95.5s", 95 * S + 500),
        ("90m", 90 * M),
        ("1h", H),
        ("1H30M", H + 30 * M),
        ("95", 95 * S),
        ("95.5", 95 * S + 500),
        ("  3:07\n", 3 * M + 7 * S),
    ],
)
def test_parse_time(text: str, ms: int) -> None:
    assert parse_time(text) == ms


@pytest.mark.parametrize(
    ("text", "fps", "ms"),
    [
        # 23.976 counts 24 frames/s but runs 1001/1000 slow: frames × 1001 / 24000 s.
        ("00:23:10:12", None, 1_391_891),  # 33372 frames
        ("00:23:10:12", 23.976, 1_391_891),
        ("00:00:01:00", None, 1_001),
        ("00:23:10:12", 24, 1_390_500),
        ("00:23:10:12", 25, 1_390_480),
        ("00:00:01:00", 29.97, 1_001),
        ("01:00:00:00", 30, H),
        ("00:00:00:59", 59.94, 984),  # 59 × 1001 / 60000 s
    ],
)
def test_parse_smpte_non_drop(text: str, fps: float | None, ms: int) -> None:
    assert parse_time(text, fps=fps) == ms


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        # 29.97 DF: frames = (3600h + 60m + s)·30 + f − 2·(M − M//10), seconds = frames × 1001/30000
        ("00:00:00;00", 0),
        ("00:00:59;29", 60_027),  # frame 1799
        ("00:01:00;02", 60_060),  # frame 1800: ;00 and ;01 were skipped
        ("00:10:00;00", 599_999),  # frame 17982: every tenth minute keeps its labels
        ("00:10:00;01", 600_033),
        ("00:23:10;12", 1_390_389),  # frame 41670
        ("01:00:00;00", 3_599_996),  # frame 107892: drop-frame stays within ms of clock time
    ],
)
def test_parse_drop_frame(text: str, ms: int) -> None:
    assert parse_time(text) == ms
    assert parse_time(text, fps=29.97) == ms


def test_drop_frame_at_59_94() -> None:
    assert parse_time("00:01:00;04", fps=59.94) == 60_060  # 4 labels skipped a minute
    with pytest.raises(ParseError, match="drop-frame"):
        parse_time("00:01:00;03", fps=59.94)


@pytest.mark.parametrize(
    ("text", "fps", "why"),
    [
        ("00:01:00;00", None, "drop-frame skips"),  # labels that do not exist
        ("00:01:00;01", None, "drop-frame skips"),
        ("00:59:00;01", None, "drop-frame skips"),
        ("00:00:00;30", None, "under 30"),
        ("00:00:00:24", None, "under 24"),
        ("00:00:00:25", 25, "under 25"),
        ("00:00:10;00", 24, "only at 29.97"),
        ("00:00:10;00", 30, "only at 29.97"),
        ("1:75", None, "seconds must be under 60"),
        ("1:60", None, "seconds must be under 60"),
        ("1:60:00", None, "minutes must be under 60"),
        ("00:61:00:00", None, "minutes must be under 60"),
        ("23m75s", None, "seconds must be under 60"),
        ("1h61m", None, "minutes must be under 60"),
    ],
)
def test_parse_time_rejects(text: str, fps: float | None, why: str) -> None:
    with pytest.raises(ParseError, match=why) as exc:
        parse_time(text, fps=fps)
    assert repr(text) in str(exc.value)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "abc", "1:2", "1:2:3", "3:07:", ":07", "-3:07", "1.5h", "3m2h", "95 ss", "٣:٠٧", "1e3", "1_000"],
)
def test_parse_time_rejects_other_text(text: str) -> None:
    with pytest.raises(ParseError) as exc:
        parse_time(text)
    assert repr(text) in exc.value.message
    assert "h:mm:ss" in (exc.value.remedy or "")  # the remedy lists the accepted forms


@pytest.mark.parametrize("fps", [0, -24, 17.3, float("nan"), float("inf"), 1000])
def test_unknown_fps_is_a_parse_error(fps: float) -> None:
    with pytest.raises(ParseError, match="frame rate"):
        parse_time("00:00:01:00", fps=fps)


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0:00"), (499, "0:00"), (500, "0:01"), (187_000, "3:07"), (59 * M + 59_499, "59:59"),
     (59 * M + 59_500, "1:00:00"), (H + 2 * M + 3 * S, "1:02:03"), (12 * H, "12:00:00")],
)
def test_format_time(ms: int, text: str) -> None:
    assert format_time(ms) == text


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "00:00"), (1, "00:01"), (95_000, "01:35"), (95_001, "01:36"), (125 * M, "125:00")],
)
def test_format_duration_rounds_up(ms: int, text: str) -> None:
    assert format_duration(ms) == text


@pytest.mark.parametrize(
    ("ms", "fps", "drop", "text"),
    [(1_391_891, 23.976, False, "00:23:10:12"), (1_390_480, 25, False, "00:23:10:12"),
     (60_060, 29.97, True, "00:01:00;02"), (599_999, 29.97, True, "00:10:00;00"),
     (1_390_389, 29.97, True, "00:23:10;12")],
)
def test_format_timecode(ms: int, fps: float, drop: bool, text: str) -> None:
    assert format_timecode(ms, fps, drop_frame=drop) == text


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError):
        format_duration(-1)
    with pytest.raises(ValueError):
        format_timecode(-1)


@given(st.text(), st.sampled_from([None, 23.976, 24, 25, 29.97, 59.94]))
def test_parse_time_only_raises_parse_error(text: str, fps: float | None) -> None:
    try:
        assert parse_time(text, fps=fps) >= 0
    except ParseError:
        pass


@given(st.from_regex(r"\A[0-9:;.,hms ]{1,14}\Z"))
def test_parse_time_timelike_text_only_raises_parse_error(text: str) -> None:
    try:
        assert parse_time(text) >= 0
    except ParseError:
        pass


@given(st.integers(min_value=0, max_value=100 * H))
def test_format_time_round_trip(ms: int) -> None:
    assert parse_time(format_time(ms)) == (ms + 500) // 1000 * 1000


@given(st.integers(min_value=0, max_value=99 * 60 * M))
def test_format_duration_round_trip(ms: int) -> None:
    assert parse_time(format_duration(ms)) == -(-ms // 1000) * 1000


@given(
    st.integers(min_value=0, max_value=24 * H),
    st.sampled_from([(23.976, False), (24, False), (25, False), (29.97, False), (29.97, True),
                     (30, False), (50, False), (59.94, True), (60, False)]),
)
def test_format_timecode_round_trip(ms: int, rate: tuple[float, bool]) -> None:
    fps, drop = rate
    back = parse_time(format_timecode(ms, fps, drop_frame=drop), fps=fps)
    assert abs(back - ms) <= 1000 / fps / 2 + 1  # within half a frame
