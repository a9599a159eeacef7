"""The viewer's web page: "what song is this?" in a browser, read-only.

Import `create_app` from `cuesheet.web.app`; this package's own import is kept
free of web libraries so that nothing else in cuesheet pays for them.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "create_app":
        from cuesheet.web.app import create_app

        return create_app
    raise AttributeError(name)
