"""The harness's own replay-only check: two served models, their check, and how to record its cassette.

CI checks a change to the harness (prompts, parser, protocol, games, metrics) for free by replaying a
committed cassette: ``stratagem check`` with :data:`SELF_CHECK_ARGS` and ``--cache replay-only``. Any change
to what the models are asked misses the cassette (exit 2: re-record it in the same change); any change to
how the answers are parsed, played or scored shows up as a changed verdict table.

The cassette is recorded against the loopback provider server
(:class:`harness.testing.provider_server.ProviderServer`) serving two deterministic "models" through the
OpenAI-compatible ``local`` provider:

* ``local/gate-candidate`` answers every prompt with the game's greedy plan for the asked side;
* ``local/gate-baseline`` answers with a random valid plan, seeded by a hash of the prompt.

Record (from the repository root)::

    python -m harness.gate.selfcheck record [--out tests/gate/cassettes/harness.sqlite]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import random
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from games.core.errors import EngineError
from games.core.game import Game
from games.core.types import SideKey
from games.registry import default_ruleset, game_names, get_game, rulesets
from harness.models.settings import LOCAL_BASE_URL_ENV

CANDIDATE: Final = "local/gate-candidate"
BASELINE: Final = "local/gate-baseline"
DEFAULT_CASSETTE: Final = Path("tests/gate/cassettes/harness.sqlite")

#: The check the cassette holds (the CI workflow runs exactly these arguments plus the cache options).
SELF_CHECK_ARGS: Final[tuple[str, ...]] = (
    "--candidate", CANDIDATE,
    "--baseline", BASELINE,
    "--panel", "bot/greedy",
    "--game", "battle_card@ruleset=v1",  # pinned: the cassette holds v1's rules text
    "--rounds", "3",
    "--settings", "sides",
    "--metric", "wr",
    "--margin", "0.5",
    "--max-matches", "24",
    "--batch", "1",
)  # fmt: skip

_TITLE = re.compile(r"You are playing (.+?) as the ")
_PLAN_KEY = re.compile(r'\(plan key "([^"]+)"\)')


def prompt_game_side(prompt: str) -> tuple[Game[Any], SideKey]:
    """The game, ruleset and side a protocol prompt is about.

    The game and side come from the prompt's header line; the ruleset is the one whose rules text (at
    default parameters) the prompt contains, else the game's default ruleset.

    Raises:
        EngineError: The prompt does not name a known game and side (the prompt templates changed shape).
    """
    title = _TITLE.search(prompt)
    key = _PLAN_KEY.search(prompt)
    titles = {name.replace("_", " ").title(): name for name in game_names()}
    if title is None or key is None or title.group(1) not in titles:
        raise EngineError("served model: cannot find the game title and plan key in the prompt")
    name = titles[title.group(1)]
    default = default_ruleset(name)
    candidates = [default, *(r for r in rulesets(name) if r != default)]
    games = [_default_game(name, r) for r in candidates]
    side = next((s.key for s in games[0].sides if s.plan_key == key.group(1)), None)
    if side is None:
        raise EngineError(f"served model: unknown plan key {key.group(1)!r}")
    game = next((g for g in games if g.rules_text(side).strip() in prompt), games[0])
    return game, side


@functools.cache
def _default_game(name: str, ruleset: str) -> Game[Any]:
    return get_game(name, ruleset=ruleset)


def fenced(plan: dict[str, Any]) -> str:
    """A plan as the fenced JSON block a model would write."""
    return "```json\n" + json.dumps(plan, sort_keys=True) + "\n```"


def served_reply(model: str, prompt: str) -> str:
    """The reply of a served model to a prompt (the whole conversation's text).

    Args:
        model: ``gate-candidate`` (greedy plans) or anything else (a random valid plan seeded by a hash of
            the model name and the prompt).
        prompt: The request's text; the game and side are read from the protocol's prompt header.
    """
    game, side = prompt_game_side(prompt)
    if model.endswith("gate-candidate"):
        return fenced(game.greedy_plan(side))
    seed = int.from_bytes(hashlib.sha256(f"{model}\n{prompt}".encode()).digest()[:8], "big")
    return fenced(game.random_plan(side, random.Random(seed)))


def _request_reply(request: Any) -> str:
    text = "\n\n".join(str(m["content"]) for m in request.messages)
    return served_reply(str(request.model), text)


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def run_self_check(cassette: Path, *, mode: str, store: Path | None = None) -> tuple[int, dict[str, Any]]:
    """Run the self-check through the CLI, in-process, exactly as CI does.

    Args:
        cassette: The response cache file.
        mode: ``read-write`` (records) or ``replay-only``.
        store: Where to keep the matches (default: a temporary store).

    Returns:
        The exit code and the ``--json`` document.
    """
    from typer.main import get_command

    from harness.cli.app import app

    with tempfile.TemporaryDirectory(prefix="stratagem-selfcheck-") as tmp:
        out = Path(tmp) / "verdict.json"
        args = [
            *SELF_CHECK_ARGS,
            "--cache",
            mode,
            "--cache-path",
            str(cassette),
            "--quiet",
            "--json",
            str(out),
        ]
        if store is not None:
            args += ["--store", str(store)]
        code = get_command(app).main(["check", *args], standalone_mode=False)
        doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return int(code or 0), doc


def _slim_requests(con: sqlite3.Connection) -> None:
    """Replace each stored request's message texts by their SHA-256 and length.

    The cache finds a reply by its key (a hash of the full request), never by ``request_json``, which is
    only there for people reading the file; the prompts (mostly the games' rules text) would make the
    committed cassette ten times larger.
    """
    rows = con.execute("SELECT key, request_json FROM responses").fetchall()
    for key, text in rows:
        request = json.loads(text)
        request["messages"] = [
            {
                "role": m["role"],
                "chars": len(m["content"]),
                "sha256": hashlib.sha256(m["content"].encode("utf-8")).hexdigest(),
            }
            for m in request.get("messages", [])
        ]
        con.execute(
            "UPDATE responses SET request_json = ? WHERE key = ?",
            (json.dumps(request, sort_keys=True, separators=(",", ":")), key),
        )
    con.commit()


def record(out: Path) -> tuple[int, dict[str, Any]]:
    """Record the self-check's cassette at ``out`` against the loopback provider server.

    The file is rebuilt from scratch, its request texts reduced to hashes (:func:`_slim_requests`) and
    compacted (``VACUUM``), so it holds exactly this check's calls and stays small.
    """
    from harness.testing.provider_server import ProviderServer

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stratagem-cassette-") as tmp:
        work = Path(tmp) / "cassette.sqlite"
        with ProviderServer() as server:
            server.reply_fn = _request_reply
            with _env(LOCAL_BASE_URL_ENV, server.openai_base_url):
                result = run_self_check(work, mode="read-write")
        # The model layer keeps its cache connection open for the process: copy through SQLite's backup
        # API (consistent under WAL), then compact the copy into one self-contained file.
        out.unlink(missing_ok=True)
        src, dst = sqlite3.connect(work), sqlite3.connect(out)
        try:
            src.backup(dst)
            _slim_requests(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.execute("VACUUM")
        finally:
            src.close()
            dst.close()
    return result


def main(argv: list[str] | None = None) -> None:
    """``python -m harness.gate.selfcheck record [--out PATH]``."""
    parser = argparse.ArgumentParser(
        prog="python -m harness.gate.selfcheck", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record the self-check cassette against the loopback server")
    rec.add_argument("--out", type=Path, default=DEFAULT_CASSETTE)
    args = parser.parse_args(argv)
    if args.command == "record":
        code, doc = record(args.out)
        print(
            f"recorded {args.out} ({args.out.stat().st_size} bytes): verdict {doc['verdict']} (exit {code})"
        )


if __name__ == "__main__":
    main()
