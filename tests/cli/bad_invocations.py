"""The table of bad ``stratagem`` invocations walked by ``test_bad_invocations.py``.

Each row is one command line a new user could type, with the files it needs. In the command line,
``{d}`` stands for the row's own fresh folder (also its working directory); ``files`` names what is put
there before it runs (:data:`MAKERS`). ``says`` is a phrase the one-line message must contain, so each row
is refused for the reason it is about and not for an earlier, unrelated one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.store import ResultStore

CATEGORIES = (
    "bad path",
    "bad store",
    "bad config",
    "bad model name",
    "bad variant",
    "bad number",
    "missing key",
)


@dataclass(frozen=True)
class Row:
    """One bad invocation.

    Attributes:
        category: One of :data:`CATEGORIES`.
        args: The command line after ``stratagem`` (``{d}`` is the row's folder).
        says: A phrase the message must contain.
        files: Names of :data:`MAKERS` entries to create in the row's folder first.
    """

    category: str
    args: tuple[str, ...]
    says: str
    files: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        """The row's test id: the command line, with the folder shown as ``D``."""
        return " ".join(self.args).replace("{d}", "D")

    def argv(self, folder: Path) -> list[str]:
        """The command line with ``{d}`` replaced by ``folder``."""
        return [a.replace("{d}", str(folder)) for a in self.args]


# ---------------------------------------------------------------------------------------------- files
BOTS = "models: [bot/random, bot/greedy]\nsettings: [{side: A, first_reviser: A}]\n"


def _config(body: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_text(body.replace("{d}", str(path.parent)))

    return make


def _other_program(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")
    con.commit()
    con.close()


def _blank_sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 7")  # writes the header; no tables
    con.commit()
    con.close()


def _newer_schema(path: Path) -> None:
    ResultStore(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()


def _random_bytes(path: Path) -> None:
    path.write_bytes(b"\x00\xff" + os.urandom(2046))


#: name in the row's folder → how to make it. ``store.sqlite`` is copied from a real store (the test's
#: module fixture), so it is not here.
MAKERS: dict[str, Callable[[Path], None]] = {
    "notes.txt": lambda p: p.write_text("just some notes\n"),
    "empty.sqlite": lambda p: p.write_bytes(b""),
    "blank.sqlite": _blank_sqlite,
    "text.sqlite": lambda p: p.write_text("name,score\nalice,3\n"),
    "passwd.sqlite": lambda p: p.write_text("user:x:1000:[red]staff[/red]\n"),  # no emoji, no markup
    "random.sqlite": _random_bytes,
    "firefox.sqlite": _other_program,
    "newer.sqlite": _newer_schema,
    "a-folder": lambda p: p.mkdir(),
    "plan.bin": lambda p: p.write_bytes(bytes(range(128, 256))),
    "plan.json": lambda p: p.write_text("{}\n"),
    "broken.yaml": _config("games: [battle_card\nmodels: [bot/random"),
    "unknown-key.yaml": _config(f"games: [battle_card]\n{BOTS}protocol: {{rounds: 2}}\ncolour: blue\n"),
    "no-games.yaml": _config(f"name: x\n{BOTS}protocol: {{rounds: 2}}\n"),
    "bad-game.yaml": _config(f"games: [chess]\n{BOTS}protocol: {{rounds: 2}}\n"),
    "bad-ruleset.yaml": _config(f"games: [battle_card@ruleset=v9]\n{BOTS}protocol: {{rounds: 2}}\n"),
    "bad-model.yaml": _config(
        "games: [battle_card]\nmodels: [bot/random, gpt4]\nsettings: [{side: A, first_reviser: A}]\n"
    ),
    "rounds-101.yaml": _config(
        f"games: [battle_card]\n{BOTS}protocol: {{rounds: 101}}\nstore: {{d}}/s.sqlite\n"
    ),
    "seeds-text.yaml": _config(f"games: [battle_card]\n{BOTS}seeds: [one, two]\nstore: {{d}}/s.sqlite\n"),
    "list.yaml": _config("- battle_card\n- bot/random\n"),
    "empty.yaml": _config(""),
    "needs-openai.yaml": _config(
        "games: [battle_card]\nmodels: [openai/gpt-4o-2024-08-06, bot/greedy]\n"
        "settings: [{side: A, first_reviser: A}]\nprotocol: {rounds: 2}\nstore: {d}/s.sqlite\n"
    ),
    "needs-anthropic.yaml": _config(
        "games: [battle_card]\nmodels: [anthropic/claude-3-5-sonnet-20241022, bot/greedy]\n"
        "settings: [{side: A, first_reviser: A}]\nprotocol: {rounds: 2}\nstore: {d}/s.sqlite\n"
    ),
}

PLAY = ("play", "--game", "battle_card", "--a", "bot/random", "--b", "bot/greedy", "--rounds", "2")
RUN = ("run", "smoke", "--quiet")
CHECK_VS_GREEDY = ("--baseline", "bot/greedy", "--panel", "bot/random", "--game", "battle_card")

ROWS: tuple[Row, ...] = (
    # ------------------------------------------------------------------ bad paths
    Row("bad path", (*RUN, "--store", "/etc/passwd/x.sqlite"), "/etc/passwd is a file, not a folder"),
    Row(
        "bad path", (*PLAY, "--store", "{d}/notes.txt/sub.sqlite"), "is a file, not a folder", ("notes.txt",)
    ),
    Row("bad path", (*RUN, "--store", "{d}/a-folder"), "a folder, not a store file", ("a-folder",)),
    Row("bad path", ("run", "{d}/missing.yaml"), "missing.yaml"),
    Row("bad path", ("report", "{d}/store.sqlite", "--out", "/proc/nope"), "/proc/nope", ("store.sqlite",)),
    Row(
        "bad path",
        ("export", "{d}/store.sqlite", "--out", "{d}/notes.txt"),
        "notes.txt",
        ("store.sqlite", "notes.txt"),
    ),
    Row("bad path", ("sim", "battle_card", "{d}/a.json", "{d}/b.json"), "a.json"),
    Row("bad path", ("sim", "elemental_duel", "{d}/plan.bin", "{d}/plan.bin"), "plan.bin", ("plan.bin",)),
    Row(
        "bad path",
        ("audit", "battle_card", "--size", "small", "--out", "{d}/notes.txt"),
        "notes.txt",
        ("notes.txt",),
    ),
    # ------------------------------------------------------------------ bad stores
    Row("bad store", ("show", "{d}/missing.sqlite"), "no such store"),
    Row(
        "bad store",
        ("show", "{d}/text.sqlite"),
        "a text file (it starts with 'name,score')",
        ("text.sqlite",),
    ),
    Row(
        "bad store",
        ("show", "{d}/passwd.sqlite"),
        "(it starts with 'user:x:1000:[red]staff[/red]')",
        ("passwd.sqlite",),
    ),
    Row(
        "bad store",
        ("export", "{d}/random.sqlite", "--out", "{d}/csv"),
        "not an SQLite database",
        ("random.sqlite",),
    ),
    Row(
        "bad store",
        ("report", "{d}/firefox.sqlite", "--out", "{d}/rep"),
        "another program (tables: moz_places)",
        ("firefox.sqlite",),
    ),
    Row("bad store", ("show", "{d}/empty.sqlite"), "an empty file", ("empty.sqlite",)),
    Row("bad store", ("show", "{d}/blank.sqlite"), "an SQLite database with no tables", ("blank.sqlite",)),
    Row(
        "bad store", (*RUN, "--store", "{d}/newer.sqlite"), "schema version 99, newer than", ("newer.sqlite",)
    ),
    Row("bad store", (*PLAY, "--store", "{d}/firefox.sqlite"), "another program", ("firefox.sqlite",)),
    Row("bad store", ("show", "{d}/store.sqlite", "zzzz"), "zzzz", ("store.sqlite",)),
    Row(
        "bad store",
        ("check", "--candidate", "bot/greedy", "--baseline", "{d}/text.sqlite"),
        "text.sqlite",
        ("text.sqlite",),
    ),
    # ------------------------------------------------------------------ bad configs
    Row("bad config", ("run", "{d}/broken.yaml"), "broken.yaml", ("broken.yaml",)),
    Row("bad config", ("run", "{d}/unknown-key.yaml"), "colour", ("unknown-key.yaml",)),
    Row("bad config", ("run", "{d}/no-games.yaml"), "games", ("no-games.yaml",)),
    Row("bad config", ("run", "{d}/list.yaml"), "list.yaml", ("list.yaml",)),
    Row("bad config", ("run", "{d}/empty.yaml"), "empty.yaml", ("empty.yaml",)),
    Row("bad config", ("run", "{d}/plan.bin"), "plan.bin", ("plan.bin",)),
    Row("bad config", ("run", "no-such-preset"), "no-such-preset"),
    Row("bad config", ("run", "{d}/bad-game.yaml"), "chess", ("bad-game.yaml",)),
    Row("bad config", ("sim", "battle_card", "--batch", "{d}/plan.bin"), "plan.bin", ("plan.bin",)),
    # ------------------------------------------------------------------ bad model names
    Row("bad model name", ("play", "--game", "battle_card", "--a", "nope/x", "--b", "bot/greedy"), "nope/x"),
    Row(
        "bad model name",
        ("play", "--game", "battle_card", "--a", "bot/nope", "--b", "bot/greedy"),
        "bot/nope",
    ),
    Row(
        "bad model name",
        ("play", "--game", "battle_card", "--a", "bot/search@sims=lots", "--b", "bot/greedy"),
        "sims",
    ),
    Row("bad model name", ("run", "{d}/bad-model.yaml"), "gpt4", ("bad-model.yaml",)),
    Row("bad model name", ("check", "--candidate", "gpt4", *CHECK_VS_GREEDY), "gpt4"),
    # ------------------------------------------------------------------ bad variants
    Row("bad variant", ("games", "show", "battle_card@ruleset=v9"), "v9"),
    Row("bad variant", ("games", "show", "chess"), "chess"),
    Row("bad variant", ("games", "show", "battle_card", "--side", "Z"), "Z"),
    Row(
        "bad variant",
        ("sim", "battle_card@ruleset=v9", "{d}/plan.json", "{d}/plan.json"),
        "v9",
        ("plan.json",),
    ),
    Row(
        "bad variant",
        ("play", "--game", "tower_defense@no_such_param=3", "--a", "bot/random", "--b", "bot/greedy"),
        "no_such_param",
    ),
    Row("bad variant", ("audit", "battle_card@ruleset=v9", "--size", "small"), "v9"),
    Row("bad variant", ("audit", "battle_card", "--params", "budget", "--size", "small"), "budget"),
    Row("bad variant", ("run", "{d}/bad-ruleset.yaml"), "v9", ("bad-ruleset.yaml",)),
    Row("bad variant", (*PLAY, "--revision", "nope"), "nope"),
    Row("bad variant", (*PLAY, "--feedback", "loud"), "loud"),
    Row(
        "bad variant",
        ("export", "{d}/store.sqlite", "--format", "xls", "--out", "{d}/x"),
        "xls",
        ("store.sqlite",),
    ),
    # ------------------------------------------------------------------ bad numbers
    Row("bad number", (*PLAY[:-1], "100000"), "100000"),
    Row("bad number", (*PLAY[:-1], "-1"), "-1"),
    Row("bad number", (*PLAY, "--seed", "-1"), "'--seed'"),
    Row("bad number", ("run", "{d}/rounds-101.yaml"), "101", ("rounds-101.yaml",)),
    Row("bad number", ("run", "{d}/seeds-text.yaml"), "seeds", ("seeds-text.yaml",)),
    Row("bad number", (*RUN, "--concurrency", "0", "--store", "{d}/s.sqlite"), "'--concurrency'"),
    Row(
        "bad number",
        ("report", "{d}/store.sqlite", "--n-boot", "-5", "--out", "{d}/rep"),
        "-5",
        ("store.sqlite",),
    ),
    Row(
        "bad number",
        ("report", "{d}/store.sqlite", "--weights", "wr=-1", "--out", "{d}/rep"),
        ">= 0",
        ("store.sqlite",),
    ),
    Row("bad number", ("check", "--candidate", "bot/search", *CHECK_VS_GREEDY, "--alpha", "2"), "alpha"),
    Row("bad number", ("check", "--candidate", "bot/search", *CHECK_VS_GREEDY, "--rounds", "0"), "rounds"),
    Row("bad number", (*PLAY[:-1], "two"), "'--rounds'"),
    Row("bad number", ("audit", "battle_card", "--size", "huge"), "huge"),
    Row("bad number", ("audit", "tower_defense@lives=-1", "--size", "small"), "'lives' must be >= 0"),
    # ------------------------------------------------------------------ missing keys
    Row(
        "missing key",
        ("play", "--game", "battle_card", "--a", "openai/gpt-4o-2024-08-06", "--b", "bot/greedy"),
        "OPENAI_API_KEY",
    ),
    Row("missing key", ("run", "{d}/needs-anthropic.yaml"), "ANTHROPIC_API_KEY", ("needs-anthropic.yaml",)),
    Row(
        "missing key",
        ("run", "{d}/needs-openai.yaml", "--store", "{d}/other.sqlite"),
        "OPENAI_API_KEY",
        ("needs-openai.yaml",),
    ),
    Row(
        "missing key",
        ("play", "--game", "battle_card", "--a", "litellm/deepseek/deepseek-chat", "--b", "bot/greedy"),
        "DEEPSEEK_API_KEY",
    ),
    Row(
        "missing key",
        ("check", "--candidate", "anthropic/claude-3-5-sonnet-20241022", *CHECK_VS_GREEDY),
        "ANTHROPIC_API_KEY",
    ),
)
