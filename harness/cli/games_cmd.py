"""``stratagem games`` (list / show rules, schema, example) and ``stratagem sim`` (play two plan files).

A game argument is ``GAME[@ruleset=R][,param=value,...]`` (:mod:`games.refs`); no ruleset means v2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from games import get_game
from games.core.errors import UserError
from games.core.game import Game
from games.core.types import ValidatedPlan
from games.refs import parse_game_ref
from games.registry import default_ruleset, game_rulesets

console = Console()


class PlanFileError(UserError):
    """A plan file that cannot be read or is not JSON."""


def _read_text(path: Path) -> str:
    """The UTF-8 text of a plan file; a missing, unreadable or binary file is one line."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            f"{path} is not a text file (byte {exc.start} is not UTF-8); a plan file holds JSON"
        ) from None
    except OSError as exc:
        raise PlanFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def list_games() -> None:
    """Print every registered game and ruleset with its sides and budgets (the default ruleset marked)."""
    table = Table(title="Stratagem games (choose a ruleset with GAME@ruleset=R)")
    for col in ("game", "ruleset", "side A", "side B", "initial attempts"):
        table.add_column(col, no_wrap=col in ("game", "ruleset"))
    for name, ruleset in game_rulesets():
        g = get_game(name, ruleset=ruleset)
        a, b = g.sides
        table.add_row(
            name,
            f"{ruleset} (default)" if ruleset == default_ruleset(name) else ruleset,
            f"{a.name} ({a.plan_key}, budget {a.budget})",
            f"{b.name} ({b.plan_key}, budget {b.budget})",
            str(g.default_initial_attempts),
        )
    console.print(table)


games_app = typer.Typer(help="List the games, or show a side's rules text, plan schema or example plan.")


@games_app.callback(invoke_without_command=True)
def games_main(ctx: typer.Context) -> None:
    """List the games (with a subcommand: see below)."""
    if ctx.invoked_subcommand is None:
        list_games()


@games_app.command("show")
def games_show(
    game: Annotated[str, typer.Argument(help="Game name, e.g. tower_defense, or tower_defense@ruleset=v1.")],
    side: Annotated[str, typer.Option("--side", help="A/B, role (human, invader…) or plan key.")] = "A",
    schema: Annotated[bool, typer.Option("--schema", help="Print the plan's JSON Schema.")] = False,
    example: Annotated[bool, typer.Option("--example", help="Print the example plan.")] = False,
) -> None:
    """Print the rules text a model playing SIDE sees (or its plan schema / example plan).

    GAME may name a ruleset and parameters (``battle_card@ruleset=v1,max_units=5``); the default ruleset
    is v2.
    """
    g = parse_game_ref(game).make()
    s = g.side_by_name(side)
    if schema:
        print(json.dumps(g.plan_schema(s.key), indent=2))
    elif example:
        print(json.dumps(g.example_plan(s.key), indent=2))
    else:
        print(g.rules_text(s.key))


def _sim_one(g: Game[Any], obj_a: Any, obj_b: Any) -> tuple[ValidatedPlan, ValidatedPlan, dict[str, Any]]:
    va = g.validate("A", obj_a)
    vb = g.validate("B", obj_b)
    result = g.simulate(va, vb)
    return va, vb, {"winner": result.winner, "summary": result.summary}


def _batch(g: Game[Any], path: Path) -> int:
    """Simulate every ``{"id", "plan_a", "plan_b"}`` line of a JSONL file; one JSON line out per line in."""
    bad = 0
    lines = _read_text(path).splitlines()
    out = sys.stdout
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or "plan_a" not in item or "plan_b" not in item:
                raise ValueError('expected an object with "id", "plan_a" and "plan_b"')
        except ValueError as exc:
            # Report and go on: one bad line must not lose the other results.
            bad += 1
            out.write(json.dumps({"line": lineno, "error": str(exc)}) + "\n")
            continue
        va, vb, res = _sim_one(g, item["plan_a"], item["plan_b"])
        row = {
            "id": item.get("id"),
            "winner": res["winner"],
            "violations_a": va.violations_as_dicts(),
            "violations_b": vb.violations_as_dicts(),
            "cost_a": va.cost,
            "cost_b": vb.cost,
            "summary": res["summary"],
        }
        out.write(json.dumps(row, sort_keys=False) + "\n")
    if bad:
        print(f"error: {bad} line(s) of {path} could not be read (reported inline)", file=sys.stderr)
    return 2 if bad else 0


def sim(
    game: Annotated[str, typer.Argument(help="Game name, optionally GAME@ruleset=R[,param=value].")],
    plan_a: Annotated[Path | None, typer.Argument(help="Side A plan JSON (humans / defenders).")] = None,
    plan_b: Annotated[Path | None, typer.Argument(help="Side B plan JSON (demons / invaders).")] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help='JSONL of {"id","plan_a","plan_b"}; JSON lines out.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Validate two plans, simulate them and print the raw outcome and battle summary.

    Plans are given as a model would submit them, with their plan keys. Budgets are not adjudicated here:
    the winner is the simulator's raw winner on the validated (canonical) plans. GAME may name a ruleset
    (``tower_defense@ruleset=v1``); the default ruleset is v2.
    """
    g = parse_game_ref(game).make()
    if batch is not None:
        raise typer.Exit(_batch(g, batch))
    if plan_a is None or plan_b is None:
        raise PlanFileError("give two plan files (PLAN_A PLAN_B) or --batch PAIRS.jsonl")
    va, vb, res = _sim_one(g, _read_json(plan_a), _read_json(plan_b))
    if as_json:
        doc = {
            "winner": res["winner"],
            "violations_a": va.violations_as_dicts(),
            "violations_b": vb.violations_as_dicts(),
            "cost_a": va.cost,
            "cost_b": vb.cost,
            "budget_a": g.side("A").budget,
            "budget_b": g.side("B").budget,
            "plan_a": va.plan,
            "plan_b": vb.plan,
            "summary": res["summary"],
        }
        print(json.dumps(doc, indent=2))
        return
    for vp in (va, vb):
        s = g.side(vp.side)
        over = "  [red]over budget[/red]" if vp.cost > s.budget else ""
        console.print(f"[bold]{s.key} {s.name}[/bold]: cost {vp.cost} / budget {s.budget}{over}")
        for v in vp.violations:
            where = f"entry {v.index}" if v.index is not None else "plan"
            field = f".{v.field}" if v.field else ""
            console.print(f"  [yellow]violation[/yellow] {v.code} at {where}{field}: {escape(v.message)}")
    winner = res["winner"]
    label = g.side(winner).label if winner else "no winner"
    console.print(f"[bold green]winner: {winner or '-'} ({label})[/bold green]")
    console.print_json(json.dumps(res["summary"]))


def register(app: typer.Typer) -> None:
    """Add ``games`` and ``sim``."""
    app.add_typer(games_app, name="games")
    app.command("sim")(sim)
