"""``stratagem show`` and ``export``: a store's matches listed or replayed, and its export.

Both only read: they open the store read-only (:class:`~harness.store.ResultStore` with
``readonly=True``), need no writer lease, create no ``-wal`` / ``-shm`` file beside the store and read
stores in read-only folders or files. ``show STORE MATCH_ID --html`` writes the match viewer's page of
one match (:mod:`metrics.report.match_page`) instead of replaying it in the terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from games.core.errors import UserError
from harness.cli.common import err, guarded

# ---------------------------------------------------------------------------------------------- show
_LIST_COLUMNS = (
    "match_id",
    "game",
    "ruleset",
    "model_a",
    "model_b",
    "first_reviser",
    "seed",
    "repetition",
    "status",
    "winner",
    "n_rounds",
)


def _list_matches(store: Any, console: Console) -> None:
    """A table on a terminal; tab-separated lines (with a header) when piped, for scripts."""
    rows = [[str(m[c]) if m[c] is not None else "-" for c in _LIST_COLUMNS] for m in store.iter_matches()]
    if not console.is_terminal:
        print("\t".join(_LIST_COLUMNS))
        for r in rows:
            print("\t".join(r))
        return
    table = Table(title=f"{store.path}", title_justify="left")
    for col in (
        "match id",
        "game",
        "ruleset",
        "A",
        "B",
        "first",
        "seed",
        "rep",
        "status",
        "winner",
        "rounds",
    ):
        table.add_column(col, no_wrap=col in ("match id", "game"))
    for r in rows:
        table.add_row(*(escape(v) for v in r))
    console.print(table)
    console.print(f"{len(rows)} matches", style="dim")


def _show(store_path: str, match_id: str | None, show_prompts: bool, decisions: bool) -> int:
    from games.registry import get_game
    from harness.protocol.transcript import match_renderables
    from harness.store import ResultStore

    console = Console()
    with ResultStore(store_path, readonly=True) as store:  # no lease, no file created
        if match_id is None:
            _list_matches(store, console)
            return 0
        row = store.find_match(match_id)
        if row is None:
            raise UserError(f"no match {match_id!r} in {store_path}")
        try:
            game = get_game(row["game"], ruleset=row.get("ruleset") or None)
            labels: dict[str, str] | None = {s.key: s.label for s in game.sides}
        except (UserError, ImportError, AttributeError):
            labels = None
        for part in match_renderables(
            row,
            store.rounds(row["match_id"]),
            store.decisions(row["match_id"]),
            labels=labels,
            show_decisions=decisions,
            show_prompts=show_prompts,
        ):
            console.print(part)
    return 0


_HTML_SUFFIXES = (".html", ".htm")


def _html_target(out: str | None, match_id: str) -> Path:
    """Where ``show --html`` writes: checked before anything is rendered, and nothing is created.

    ``--out`` may name a folder (existing, or to be created: any path that does not end in ``.html``),
    where the page is ``<folder>/<match_id>.html``, or an HTML file, which is replaced. An existing file
    that is not HTML (the store itself, say) is refused rather than overwritten.
    """
    from harness.cli.out_dirs import OutputPathError, check_output_dir
    from metrics.report.match_list import match_file_name

    name = match_file_name(match_id)
    if out is None:
        return check_output_dir(".", "the current folder") / name
    target = Path(out)
    if target.is_dir():
        return check_output_dir(target) / name
    if target.suffix.lower() not in _HTML_SUFFIXES:
        if target.exists():
            raise OutputPathError(
                f"--out {target}: exists and is not an HTML file; name a .html file or a folder"
            )
        return check_output_dir(target) / name
    check_output_dir(target.parent, f"--out {target}: its folder")
    return target


def _show_html(store_path: str, match_id: str | None, out: str | None) -> int:
    from harness.store import ResultStore
    from metrics.report.match_page import match_page_html

    if match_id is None:
        raise UserError(
            "--html needs a MATCH_ID (or a unique prefix); the pages of all matches come with "
            "`stratagem report`"
        )
    with ResultStore(store_path, readonly=True) as store:  # no lease, no file created
        row = store.find_match(match_id)
    if row is None:
        raise UserError(f"no match {match_id!r} in {store_path}")
    full_id = str(row["match_id"])
    target = _html_target(out, full_id)
    html = match_page_html(store_path, full_id)  # rendered first: an error leaves nothing behind
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--out {target}: cannot write it ({(exc.strerror or str(exc)).lower()})") from None
    print(target)
    return 0


# ---------------------------------------------------------------------------------------------- export
def _export(store_path: str, fmt: str, out: str) -> int:
    from harness.cli.out_dirs import check_output_dir
    from harness.store import export_store

    check_output_dir(out)  # an existing file or an unwritable place: one line, nothing written

    def note(message: str) -> None:  # e.g. matches of other rulesets left out of an advgamebench export
        err().print(escape(message))

    files = export_store(store_path, out, fmt, on_note=note)  # type: ignore[arg-type]  # checked inside
    for f in files:
        print(f)
    return 0


# ---------------------------------------------------------------------------------------------- wiring
def register(app: typer.Typer) -> None:
    """Add ``show`` and ``export`` to ``app``."""

    @app.command("show")
    def show_command(
        store: Annotated[str, typer.Argument(help="A results store.")],
        match_id: Annotated[
            str | None, typer.Argument(help="Match id (or a unique prefix); omit to list.")
        ] = None,
        show_prompts: Annotated[bool, typer.Option("--show-prompts", help="Print raw replies.")] = False,
        decisions: Annotated[bool, typer.Option("--decisions/--no-decisions")] = True,
        html: Annotated[
            bool, typer.Option("--html", help="Write the match's page (one self-contained HTML file).")
        ] = False,
        out: Annotated[
            str | None,
            typer.Option(
                "--out",
                help="With --html: the page's file (.html), or a folder for <match_id>.html "
                "(default: the current folder).",
            ),
        ] = None,
    ) -> None:
        """List a store's matches, or replay one round by round.

        With --html, write the match's page instead and print its path: one
        self-contained HTML file that works offline from file://, with each
        round's picture of both plans, the plans side by side with what
        changed, costs against budgets, violations and failure classes, the
        raw and the adjudicated winner, the battle summary and the models'
        replies. The pages of all matches come with `stratagem report`.
        """

        def run() -> int:
            if html:
                return _show_html(store, match_id, out)
            if out is not None:
                raise UserError("--out is only used with --html")
            return _show(store, match_id, show_prompts, decisions)

        raise typer.Exit(guarded(run))

    @app.command("export")
    def export_command(
        store: Annotated[str, typer.Argument(help="A results store.")],
        out: Annotated[str, typer.Option("--out", help="Output folder.")],
        fmt: Annotated[Literal["csv", "parquet", "advgamebench"], typer.Option("--format")] = "csv",
    ) -> None:
        """Export matches, rounds and decisions (sorted, volatile columns dropped), or the original CSVs.

        ``--format advgamebench`` exports ruleset v1 matches only (the original evaluator's games).
        """
        raise typer.Exit(guarded(lambda: _export(store, fmt, out)))
