"""The CLI reference in README.md, generated from `--help` so it cannot drift.

`python -m cuesheet.cli.reference --write README.md` rewrites the part of the
README between the markers; tests/test_reference.py fails when it is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import typer.main
from typer.testing import CliRunner

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"
WIDTH = "100"


def command_paths() -> Iterator[tuple[list[str], object]]:
    """Every command and sub-command, as argument paths, in a stable order."""
    from cuesheet.cli import app

    def walk(cmd: object, path: list[str]) -> Iterator[tuple[list[str], object]]:
        yield path, cmd
        subcommands = getattr(cmd, "commands", None) or {}
        for name in sorted(subcommands):
            yield from walk(subcommands[name], [*path, name])

    yield from walk(typer.main.get_command(app), [])


def help_text(path: list[str]) -> str:
    from cuesheet.cli import app

    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": WIDTH, "TERM": "dumb"})
    if result.exit_code != 0:
        raise RuntimeError(f"`cuesheet {' '.join(path)} --help` failed: {result.output}")
    return result.output.rstrip() + "\n"


def render() -> str:
    parts = [START, ""]
    for path, _ in command_paths():
        title = "cuesheet " + " ".join(path) if path else "cuesheet"
        parts += [f"### `{title.strip()}`", "", "```", help_text(path).rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def splice(readme: str, reference: str) -> str:
    if START not in readme or END not in readme:
        raise SystemExit(f"README has no {START} ... {END} section")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + reference + tail


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="rewrite this README's reference section")
    args = parser.parse_args(argv)
    reference = render()
    if args.write:
        args.write.write_text(splice(args.write.read_text(encoding="utf-8"), reference), encoding="utf-8")
    else:
        sys.stdout.write(reference + "\n")


if __name__ == "__main__":
    main()
