"""XSPF, the XML Shareable Playlist Format, version 1 (http://xspf.org/ns/0/).

Track children are written in the order the specification lists them;
identifiers are the known ids (MusicBrainz recording URL, Spotify track URL)
and the location is `ExportRow.location`, the same in every format (a search
link when no id is known). cuesheet's own facts (episode, cue, kind,
ISRC) go in `meta` elements keyed by URIs under the project's address, as the
spec asks for extensions of plain text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cuesheet.export.rows import CREATOR, HOME, ExportRow, Playlist
from cuesheet.notation.timecode import format_time

NS = "http://xspf.org/ns/0/"
MEDIA_TYPE = "application/xspf+xml"
SUFFIXES = (".xspf",)
META = HOME + "#"


def render(playlist: Playlist) -> str:
    ET.register_namespace("", NS)
    root = ET.Element(_q("playlist"), {"version": "1"})
    _text(root, "title", playlist.title)
    _text(root, "creator", CREATOR)
    _text(root, "annotation", f"Songs of {playlist.title} in episode and cue order. {playlist.summary()}. "
                              f"{playlist.real_text()}.")
    _text(root, "info", HOME)
    if playlist.generated is not None:
        _text(root, "date", playlist.generated.isoformat().replace("+00:00", "Z"))
    track_list = ET.SubElement(root, _q("trackList"))
    for row in playlist.rows:
        _track(track_list, row)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _track(parent: ET.Element, row: ExportRow) -> None:
    track = ET.SubElement(parent, _q("track"))
    if row.location:
        _text(track, "location", row.location)
    for identifier in row.identifiers:
        _text(track, "identifier", identifier)
    if row.title:  # an unidentified song has none; its annotation says so
        _text(track, "title", row.title)
    if row.artist:
        _text(track, "creator", row.artist)
    _text(track, "annotation", annotation(row))
    if row.identifiers:
        _text(track, "info", row.identifiers[0])
    if row.album:
        _text(track, "album", row.album)
    if row.duration_ms:
        _text(track, "duration", str(row.duration_ms))
    for rel, value in (
        ("episode", row.code),
        ("cue", str(row.cue)),
        ("kind", row.kind),
        ("usage", row.usage),
        ("isrc", row.isrc),
    ):
        if value:
            meta = ET.SubElement(track, _q("meta"), {"rel": META + rel})
            meta.text = NOT_XML.sub(" ", value)


def annotation(row: ExportRow) -> str:
    """Plain text a person reads in a player: where the song plays and what is known."""
    where = row.cue_label
    if row.time_in_ms is not None:
        where += f", {format_time(row.time_in_ms)}"
        if row.time_out_ms is not None:
            where += f"–{format_time(row.time_out_ms)}"
    what = row.kind + (f" ({row.usage})" if row.usage else "")
    text = f"{where}, {what}"
    if row.scene:
        text += f": {row.scene}"
    if row.note:
        text += f" [{row.note}]"
    return text


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# Characters XML 1.0 cannot hold at all (a parser refuses the whole file): they become spaces.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    el.text = NOT_XML.sub(" ", value)
    return el
