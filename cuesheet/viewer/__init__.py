"""The viewer's rooms: resolve text into records, build answers, search and rank them, guard spoilers.

Kept import-light on purpose: `cuesheet what` loads this package on every cold
start, so nothing here pulls in typer, rich, sqlite-utils or a network client.
"""
