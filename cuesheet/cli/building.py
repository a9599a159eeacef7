"""`cuesheet build`: the database from cue sheet files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cuesheet.cli.common import DbOption
from cuesheet.cli.output import console, friendly_errors, note
from cuesheet.db.connection import resolve_path, upgrade
from cuesheet.notation.plural import plural

app = typer.Typer()


@app.command("build")
def build_command(
    source: Annotated[
        Path, typer.Option("--from", help="Folder of cue sheet files (one folder per show).")
    ] = Path("data"),
    db: DbOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the database even when it holds curator work the files lack.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Only check the files (what a merge broke: cue numbers used twice, a source key"
                        " that is gone, the same song twice); write no database. Exits 1 on errors.")] = False,
) -> None:
    """Build the database from cue sheet files, all or nothing. Refuses to replace curator work
    that is not in the files (run `cuesheet dump` first) unless --force."""
    from cuesheet.files import build

    if check:
        _check_files(source)
        return
    with friendly_errors():
        report = build.build(source, resolve_path(db), force=force)
    for path in report.cleaned:
        note(f"removed {path}, left by a build that was stopped")
    console.print(
        f"Built {report.path}: {plural(report.shows, 'show')}, {plural(report.episodes, 'episode')}, "
        f"{plural(report.cues, 'cue')}, {plural(report.songs, 'song')}, "
        f"{plural(report.recordings, 'catalog recording')} "
        f"({plural(report.linked, 'song')} linked to a recording)."
    )


def _check_files(source: Path) -> None:
    from cuesheet.curation import check
    from cuesheet.files import build

    with friendly_errors():
        findings = build.check_files(source)
    shown = [f for f in findings if f.severity == check.ERROR or f.code == "duplicate-cue"]
    for f in shown:
        console.print(f"{f.severity:<7} {f.where}  {f.message}  [{f.code}]", highlight=False, soft_wrap=True)
    errors = sum(f.severity == check.ERROR for f in shown)
    console.print(f"{source}: {plural(errors, 'error')}, {plural(len(shown) - errors, 'warning')}"
                  " (`cuesheet check` on the built database lists the rest).", highlight=False)
    if errors:
        raise typer.Exit(1)


@app.command("upgrade")
def upgrade_command(db: DbOption = None) -> None:
    """Upgrade a database made by an older cuesheet in place (viewer commands only read it)."""

    with friendly_errors():
        path = resolve_path(db)
        applied = upgrade(path)
    if applied:
        console.print(f"Upgraded {path}: {plural(len(applied), 'migration')} applied ({', '.join(applied)}).", highlight=False)
    else:
        console.print(f"{path} is up to date.", highlight=False)
