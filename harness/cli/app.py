"""The ``stratagem`` command: one typer app; each command group lives in its own module.

Exit codes: 0 ok, 1 a check failed, 2 bad input or config, 3 an inconclusive check. Every error is one
``error:`` line on stderr: a user error (:class:`~games.core.errors.UserError`) and a command-line usage
error (an unknown option, a missing argument, a number out of range) alike.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console
from rich.markup import escape
from typer import rich_utils

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
    "harness.cli.sweep_cmd",
    "harness.cli.store_cmd",
    "harness.cli.report_cmd",
    "harness.cli.serve_cmd",
    "harness.cli.check_cmd",
    "harness.cli.audit_cmd",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)

err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def one_line_usage_error(self: Exception) -> None:
    """Print a usage error as one ``error:`` line (typer's own is a usage line, a hint and a panel).

    It replaces ``typer.rich_utils.rich_format_error`` (hence the parameter's name); the exit code stays
    the parser's (2).

    Args:
        self: The parser's exception (an unknown option, a missing argument, a value out of range).
    """
    if type(self).__name__ == "NoArgsIsHelpError":  # the help text has been printed instead
        return
    command = getattr(getattr(self, "ctx", None), "command_path", None)
    format_message = getattr(self, "format_message", None)  # click's exceptions have it
    text = str(format_message() if callable(format_message) else self)
    message = " ".join(text.split()).removesuffix(".")
    hint = f"; see '{command} --help'" if command else ""
    err_console.print(f"[red]error:[/red] {escape(message + hint)}")


rich_utils.rich_format_error = one_line_usage_error  # typer looks it up at each error


def main() -> None:
    """Entry point: run the app, turning user errors into one red line and exit code 2."""
    try:
        app()
    except UserError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(2)


if __name__ == "__main__":
    main()
