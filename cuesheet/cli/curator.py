"""The curator's top-level commands: review, check, history, undo, dump."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text

from cuesheet.cli.common import DbOption, JsonOption, NlOption, open_db
from cuesheet.cli.output import console, emit, friendly_errors, note

app = typer.Typer()


def _curator() -> str:
    from cuesheet import config, history

    return history.who(config.load().curator)


def _scope(conn: Any, show: str | None, episode: str | None) -> tuple[Any, Any]:
    from cuesheet import lookup

    show_ref = lookup.find_show(conn, show) if show else None
    ep = lookup.find_episode(conn, show_ref, episode) if show_ref and episode else None
    return show_ref, ep


# --- history and undo ------------------------------------------------------------------------------


@app.command("history")
def history_command(
    show: Annotated[Optional[str], typer.Argument(help="Only this show.")] = None,
    episode: Annotated[Optional[str], typer.Argument(help="Only this episode.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many changes.")] = 20,
    change: Annotated[Optional[int], typer.Option("--id", help="Show one change with its rows before and after.")] = None,
    db: DbOption = None,
    json_: JsonOption = False,
    nl: NlOption = False,
) -> None:
    """Every change curators made, latest first: who, when, what (and each row before/after)."""
    from cuesheet import history

    with friendly_errors():
        conn = open_db(db).conn
        if change is not None:
            items = [history.get(conn, change)]
        else:
            show_ref, ep = _scope(conn, show, episode)
            items = history.entries(conn, show_id=show_ref.id if show_ref else None,
                                    episode_id=ep.id if ep else None, limit=limit)

    def render(items: list[history.Entry]) -> None:
        if not items:
            note("no changes recorded yet.")
            return
        if change is not None:
            _render_entry(items[0])
            return
        table = Table("#", "when (UTC)", "who", "what", "summary")
        for e in items:
            state = f" (undone by #{e.undone_by})" if e.undone_by else ""
            table.add_row(str(e.id), e.at.replace("T", " ")[:16], e.curator, e.action, e.summary + state)
        console.print(table)
        note("`cuesheet history --id N` shows a change row by row; `cuesheet undo [N]` reverses one.")

    emit(items, as_json=json_, nl=nl, render=render)


def _render_entry(e: Any) -> None:
    from cuesheet import history

    console.print(Text(f"#{e.id} {e.action} by {e.curator} at {e.at}", style="bold"))
    console.print(Text(e.summary))
    if e.undone_by:
        console.print(Text(f"undone by #{e.undone_by}", style="yellow"))
    for ch in e.changes:
        what = "added" if ch["before"] is None else "removed" if ch["after"] is None else "changed"
        line = Text(f"  {ch['table']} {ch['rowid']} {what}", style="cyan")
        console.print(line)
        if what == "changed":
            for name, (old, new) in history.diff(ch).items():
                console.print(Text(f"      {name}: {old!r} → {new!r}"), soft_wrap=True)


@app.command("undo")
def undo_command(
    change: Annotated[Optional[int], typer.Argument(help="The change to undo (see `cuesheet history`). Default: the latest.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Restore even rows changed since (that later work is lost).")] = False,
    db: DbOption = None,
) -> None:
    """Undo the latest change (or change N) in one transaction; undoing an undo redoes."""
    from cuesheet import history

    with friendly_errors():
        conn = open_db(db).conn
        done = history.undo(conn, change, _curator(), force=force)
    console.print(Text(f"Undid #{done.undone.id} ({done.undone.action}): {done.undone.summary}", style="bold green"),
                  soft_wrap=True)
    if done.forced:
        note(f"forced over {len(done.conflicts)} later change(s): {done.conflicts[0]}")
    note(f"recorded as #{done.entry_id}; `cuesheet undo {done.entry_id}` redoes it.")
