"""Export stored matches to the original evaluator's CSV layout (spec §1.7), one tree per game.

``out_dir/<game>/<role>_results/<tag>/<model>_results.csv``. Every model of a match is a test model from its
own point of view: its role is its side's role name (``human``/``demon`` in tower defense,
``defender``/``invader`` otherwise) and its tag is ``first`` when its side revised first, else ``second``.
A file holds the model's matches in that role and tag, appended by opponent name, then seed, repetition
and match id, each match's records in order, with ``round`` = the original label (so Battle Card and duels
keep the extra final record labelled R). Only finished matches of ruleset v1 (the original games) are
exported; other rulesets are left out and counted (:func:`original_ruleset_only`).

Model names are made file-safe by :func:`file_safe_name`, identically in the file names and in the ``*_LLM``
columns, since the original evaluator matches the two: ``/`` → ``__``, then every character other than
``A–Z a–z 0–9 . _ -`` → ``_`` (``bot/search@sims=64`` → ``bot__search_sims_64``). Two models that would
get the same file name are refused.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from games.registry import ORIGINAL_RULESET
from metrics.errors import StoreError
from metrics.games_info import role_names, winner_labels
from metrics.load import StoreFrames, load_store

TD_COLUMNS: Final = (
    "round", "side", "human_cost", "demon_cost", "winner", "lost_row", "winner_remain_chars",
    "winner_remain_cost", "human_LLM", "demon_LLM",
)  # fmt: skip
CARD_COLUMNS: Final = ("round", "defender_cost", "invader_cost", "winner", "invader_LLM", "defender_LLM")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

# Keys tried, in order, in a tower defense battle summary for the fields the original kept on Demon wins.
_SUMMARY_KEYS: Final = {
    "lost_row": ("lost_row",),
    "winner_remain_chars": ("winner_remaining", "winner_remain_chars", "survivors"),
    "winner_remain_cost": ("winner_remaining_cost", "winner_remain_cost"),
}


def file_safe_name(model: str) -> str:
    """The file-safe form of a model name used in file names and ``*_LLM`` columns (see module doc)."""
    return _UNSAFE.sub("_", model.replace("/", "__"))


def _summary_field(summary: Any, field: str) -> str:
    try:
        data = json.loads(summary) if isinstance(summary, str) else {}
    except json.JSONDecodeError:
        return ""
    if not isinstance(data, dict):
        return ""
    for key in _SUMMARY_KEYS[field]:
        if key in data and data[key] is not None:
            value = data[key]
            return str(len(value)) if isinstance(value, list) else str(value)
    return ""


def _match_rows(game: str, match: pd.Series, rounds: pd.DataFrame, safe: dict[str, str]) -> list[list[str]]:
    label_a, label_b = winner_labels(game)
    llm_a, llm_b = safe[str(match["model_a"])], safe[str(match["model_b"])]
    out: list[list[str]] = []
    for r in rounds.itertuples(index=False):
        winner = {"A": label_a, "B": label_b}.get(str(r.winner), "")
        cost_a, cost_b, label = (str(int(float(str(v)))) for v in (r.cost_a, r.cost_b, r.label))
        if game == "tower_defense":
            demon_win = str(getattr(r, "raw_winner", "")) == "B"
            summary = getattr(r, "summary", None)
            extra = [_summary_field(summary, f) if demon_win else "" for f in _SUMMARY_KEYS]
            out.append([label, "", cost_a, cost_b, winner, *extra, llm_a, llm_b])
        else:
            out.append([label, cost_a, cost_b, winner, llm_b, llm_a])
    return out


def export_frames_advgamebench(frames: StoreFrames, out_dir: Path) -> list[Path]:
    """Write the original-layout trees of ``frames`` under ``out_dir``; return the files written (sorted)."""
    fin = frames.finished()
    mt = fin.matches
    names = sorted(set(mt["model_a"].astype(str)) | set(mt["model_b"].astype(str)))
    safe = {n: file_safe_name(n) for n in names}
    clash: dict[str, list[str]] = {}
    for n, s in safe.items():
        clash.setdefault(s, []).append(n)
    bad = {s: ns for s, ns in clash.items() if len(ns) > 1}
    if bad:
        s, ns = next(iter(sorted(bad.items())))
        raise StoreError(f"models {', '.join(ns)} would share the file-safe name {s!r}; rename one")
    rounds = fin.rounds.sort_values(["match_id", "round"], kind="mergesort")
    by_match = dict(tuple(rounds.groupby("match_id", sort=False)))
    files: dict[Path, list[tuple[tuple[str, int, int, str], list[list[str]]]]] = {}
    for _, m in mt.iterrows():
        game = str(m["game"])
        rows = _match_rows(game, m, by_match.get(m["match_id"], rounds.iloc[:0]), safe)
        for side, role in zip(("A", "B"), role_names(game), strict=True):
            me, opp = (m["model_a"], m["model_b"]) if side == "A" else (m["model_b"], m["model_a"])
            tag = "first" if str(m["first_reviser"]) == side else "second"
            path = out_dir / game / f"{role}_results" / tag / f"{safe[str(me)]}_results.csv"
            key = (str(opp), int(m["seed"]), int(m["repetition"]), str(m["match_id"]))
            files.setdefault(path, []).append((key, rows))
    written = []
    for path in sorted(files):
        game = path.parents[2].name
        header = TD_COLUMNS if game == "tower_defense" else CARD_COLUMNS
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            for _, rows in sorted(files[path], key=lambda item: item[0]):
                w.writerows(rows)
        written.append(path)
    return written


def original_ruleset_only(frames: StoreFrames) -> tuple[StoreFrames, dict[str, int]]:
    """The finished matches of ruleset :data:`ORIGINAL_RULESET` (v1), and how many others were left out.

    The original evaluator's layout is that of AdvGameBench's games, ruleset v1; matches of other rulesets
    would pool different games under one file name. Frames without a ``ruleset`` column (hand-built ones)
    count as v1.

    Returns:
        The v1 frames (finished matches only), and ``{ruleset: finished matches left out}``.

    Raises:
        StoreError: The store has finished matches, but none of ruleset v1 (nothing would be exported).
    """
    fin = frames.finished()
    mt = fin.matches
    if "ruleset" not in mt.columns:
        return fin, {}
    rulesets = mt["ruleset"].fillna(ORIGINAL_RULESET).astype(str)
    keep = (rulesets == ORIGINAL_RULESET).to_numpy(dtype=bool)
    left_out = {str(k): int(v) for k, v in sorted(rulesets[~keep].value_counts().items())}
    if not left_out:
        return fin, {}
    if not keep.any():
        held = ", ".join(f"{n} of ruleset {r}" for r, n in left_out.items())
        raise StoreError(
            f"{frames.source}: no ruleset {ORIGINAL_RULESET} matches to export (it holds {held}); the "
            f"advgamebench format is for ruleset {ORIGINAL_RULESET}, the original games"
        )
    ids = set(mt.loc[keep, "match_id"].astype(str))

    def among(frame: pd.DataFrame) -> pd.DataFrame:
        out: pd.DataFrame = frame.loc[frame["match_id"].astype(str).isin(ids)].reset_index(drop=True)
        return out

    kept = fin.subset(among(fin.matches), among(fin.rounds), among(fin.decisions))
    return kept, left_out


def export_advgamebench(
    store_path: Path, out_dir: Path, on_note: Callable[[str], None] | None = None
) -> list[Path]:
    """Export a store's finished v1 matches to ``out_dir/<game>/<role>_results/<tag>/<model>_results.csv``.

    Only ruleset v1 (the original games) is exported; matches of other rulesets are left out and counted
    in a note.

    Args:
        store_path: The results store (SQLite).
        out_dir: Root of the trees (created if needed).
        on_note: Receives one line saying how many matches of other rulesets were left out, if any.

    Returns:
        The CSV files written, sorted.

    Raises:
        StoreError: Unreadable store, no ruleset v1 match among finished matches of other rulesets
            (nothing is written), or two models with the same file-safe name.
    """
    frames, left_out = original_ruleset_only(
        load_store(store_path, extra={"rounds": ["raw_winner", "summary"]})
    )
    if left_out and on_note is not None:
        n = sum(left_out.values())
        which = ", ".join(f"{c} of ruleset {r}" for r, c in left_out.items())
        on_note(
            f"left out {n} match{'es' if n != 1 else ''} ({which}): the advgamebench export holds "
            f"ruleset {ORIGINAL_RULESET} only"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return export_frames_advgamebench(frames, out)


__all__ = [
    "CARD_COLUMNS",
    "TD_COLUMNS",
    "export_advgamebench",
    "export_frames_advgamebench",
    "file_safe_name",
    "original_ruleset_only",
]
