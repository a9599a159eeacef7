"""A rich Console that never writes a control character it was given as text.

Rich passes the text of every renderable through unchanged (it strips only BEL and
backspace), so a title or an error holding ESC would reach the terminal raw. Every
text segment goes through `echo.printable` on its way out, in the one method that turns
segments into output; rich's own control segments (styles, cursor moves) are kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.segment import Segment

from cuesheet.notation.echo import printable


class SafeConsole(Console):
    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style, segment.control)
            for segment in buffer)
