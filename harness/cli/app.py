"""The ``stratagem`` command: one typer app; each command group lives in its own module.

Exit codes: 0 ok, 1 a check failed, 2 bad input or config, 3 an inconclusive check.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from games.core.errors import UserError

app = typer.Typer(
    name="stratagem",
    help="Evaluate how language models plan, revise and spend a budget by playing strategic games.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module defines ``register(app)``; kept as names so a broken optional part names itself clearly.
COMMAND_MODULES = (
    "harness.cli.games_cmd",
    "harness.cli.run_cmd",
    "harness.cli.store_cmd",
    "harness.cli.report_cmd",
    "harness.cli.serve_cmd",
    "harness.cli.check_cmd",
    "harness.cli.audit_cmd",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)

err_console = Console(stderr=True)


def main() -> None:
    """Entry point: run the app, turning user errors into one red line and exit code 2."""
    try:
        app()
    except UserError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
