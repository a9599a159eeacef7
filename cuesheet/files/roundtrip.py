"""Rewriting a cue sheet file in place, touching only what changed.

A curator reviews a dump with `git diff`. Rewriting a whole episode file for one
changed cue re-wraps prose, drops `performers: []` and the comments a curator left
(show.yaml is full of `# S16: ...` notes), and buries the one real change. Here the
file is loaded with ruamel.yaml's round-trip loader, which keeps comments, key
order, quoting and flow style; only the cues, episode fields, sources and
characters whose content differs are replaced by freshly written nodes, and the
rest of the file is written back as it was.

The caller checks the result reads back as the database says (and falls back to a
whole rewrite if not), so a layout this module cannot patch never costs correctness.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

# The layout of the files in data/: two-space mappings, sequences indented under their key.
_INDENT = {"mapping": 2, "sequence": 4, "offset": 2}


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a line that was not rewritten
    y.indent(**_INDENT)
    return y


def load(text: str) -> Any:
    return _yaml().load(text)


def dumps(doc: Any) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def set_key(doc: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Replace `key`'s value, or insert it where `order` puts it among the keys there."""
    if key in doc:
        doc[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    pos = sum(1 for k in doc if (order.index(k) if k in order else len(order)) < rank)
    doc.insert(pos, key, value)


def patch_fields(doc: CommentedMap, fresh: CommentedMap, keys: list[str], order: tuple[str, ...]) -> None:
    """Take these keys from the freshly written document (deleting those it leaves out)."""
    for key in keys:
        if key in fresh:
            set_key(doc, key, fresh[key], order)
        elif key in doc:
            del doc[key]


def patch_items(
    seq: CommentedSeq | None,
    fresh: CommentedSeq,
    key: Callable[[Any], Any],
    changed: set[Any],
    gone: set[Any],
) -> CommentedSeq:
    """A list of mappings (cues, characters) patched item by item: items whose key is in
    `changed` are replaced by the fresh item (added if new, in the fresh list's order),
    items in `gone` removed, every other item kept as it is, comments and all."""
    if seq is None or not isinstance(seq, CommentedSeq) or len(seq) == 0:
        return fresh  # nothing to keep: the fresh list as written
    fresh_by_key = {key(item): item for item in fresh}
    order = [key(item) for item in fresh]
    for i in reversed(range(len(seq))):
        k = key(seq[i])
        if k in gone:
            del seq[i]
        elif k in changed and k in fresh_by_key:
            seq[i] = fresh_by_key[k]
    have = {key(item) for item in seq}
    for k in order:
        if k in have:
            continue
        # After the last kept item that comes before it in the fresh order.
        before = {o for o in order[:order.index(k)]}
        pos = 0
        for i, item in enumerate(seq):
            if key(item) in before:
                pos = i + 1
        seq.insert(pos, fresh_by_key[k])
        have.add(k)
    return seq


def patch_mapping(
    mapping: CommentedMap | None, fresh: CommentedMap, changed: set[str], gone: set[str]
) -> CommentedMap:
    """A mapping of entries (show.yaml's sources) patched entry by entry, as patch_items."""
    if mapping is None or not isinstance(mapping, CommentedMap) or len(mapping) == 0:
        return fresh
    for k in list(mapping):
        if k in gone:
            del mapping[k]
        elif k in changed and k in fresh:
            old, new = mapping[k], fresh[k]
            if isinstance(old, CommentedMap) and isinstance(new, CommentedMap):
                # Field by field: an entry's untouched lines (and its comment) stay.
                keys = [f for f in {**old, **new} if str(old.get(f)) != str(new.get(f))]
                patch_fields(old, new, keys, tuple(new))
            else:
                mapping[k] = new
    order = tuple(fresh)
    for k in order:
        if k not in mapping:
            set_key(mapping, k, fresh[k], order)
    return mapping
