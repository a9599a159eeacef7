"""The README's CLI reference is generated from --help; it must not go stale."""

from __future__ import annotations

from cuesheet.cli import reference

from .conftest import ROOT


def test_readme_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = reference.splice(readme, reference.render())
    assert readme == expected, "README.md CLI reference is stale: run `make docs`"


def test_reference_covers_every_command() -> None:
    text = reference.render()
    for path, _ in reference.command_paths():
        assert f"### `{' '.join(['cuesheet', *path])}`" in text
