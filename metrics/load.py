"""Reading the results store (``docs/records.md``, schema version 1) into plain DataFrames.

:func:`load_store` returns the three tables the metrics use as a :class:`StoreFrames`. Everything after that
is a pure function of DataFrames, so tests and the CI gate can build frames directly
(:meth:`StoreFrames.from_frames`) without a SQLite file. Only ``status = 'finished'`` matches count for the
metrics; voided matches stay in the frames for the failure table.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.errors import MixedFingerprintError, StoreError
from metrics.store_file import check_store_file, connect_readonly

if TYPE_CHECKING:
    from metrics.resampling import MatchResamples
    from metrics.turns import SideRounds

SCHEMA_VERSION: Final = "1"

#: Columns the metrics read from each table (a store may have more; a frame missing one is rejected).
REQUIRED_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "matches": (
        "match_id", "fingerprint", "game", "model_a", "model_b", "rounds", "first_reviser", "seed",
        "repetition", "status", "winner",
    ),
    "rounds": (
        "match_id", "round", "label", "cost_a", "cost_b", "budget_a", "budget_b", "violations_a",
        "violations_b", "winner", "reviser", "changed_a", "changed_b",
    ),
    "decisions": (
        "match_id", "seq", "side", "model", "failure_class", "input_tokens", "output_tokens", "cost_usd",
        "reused",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class StoreFrames:
    """The ``matches``, ``rounds`` and ``decisions`` tables of one store (all matches, voided included).

    Attributes:
        matches: One row per match (finished or voided).
        rounds: One row per simulated round.
        decisions: One row per model call or bot decision.
        source: Where the frames came from (a store path, or ``"<frames>"``), for messages.
    """

    matches: pd.DataFrame
    rounds: pd.DataFrame
    decisions: pd.DataFrame
    source: str = "<frames>"

    def __post_init__(self) -> None:
        for table, cols in REQUIRED_COLUMNS.items():
            frame = getattr(self, table)
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise StoreError(f"{self.source}: table {table!r} lacks column(s) {', '.join(missing)}")

    @classmethod
    def from_frames(
        cls,
        matches: pd.DataFrame,
        rounds: pd.DataFrame,
        decisions: pd.DataFrame | None = None,
        source: str = "<frames>",
    ) -> StoreFrames:
        """Build frames in memory (tests, benchmarks, the CI gate); ``decisions`` may be omitted."""
        if decisions is None:
            decisions = pd.DataFrame({c: pd.Series(dtype=object) for c in REQUIRED_COLUMNS["decisions"]})
        return cls(matches=matches, rounds=rounds, decisions=decisions, source=source)

    @cached_property
    def sides(self) -> SideRounds:
        """The finished matches' rounds seen from both sides (computed once per frames object)."""
        from metrics.turns import side_rounds  # local: turns imports this module

        return side_rounds(self)

    @cached_property
    def resample_cache(self) -> dict[tuple[int, int], MatchResamples]:
        """Bootstrap plans drawn for these frames, by (n_boot, seed) (see :mod:`metrics.resampling`)."""
        return {}

    @cached_property
    def derived(self) -> dict[str, Any]:
        """Other derived tables cached per frames object (e.g. per-match usage)."""
        return {}

    def finished(self) -> StoreFrames:
        """The same frames restricted to finished matches (what every metric counts)."""
        keep = (self.matches["status"] == "finished").to_numpy(dtype=bool, na_value=False)
        if keep.all():
            return self
        ids = pd.Index(self.matches.loc[keep, "match_id"])

        def among(frame: pd.DataFrame) -> pd.DataFrame:
            out: pd.DataFrame = frame.loc[positions(ids, frame["match_id"]) >= 0].reset_index(drop=True)
            return out

        return StoreFrames(
            matches=self.matches.loc[keep].reset_index(drop=True),
            rounds=among(self.rounds),
            decisions=among(self.decisions),
            source=self.source,
        )


def positions(index: pd.Index, values: object) -> NDArray[np.intp]:
    """Positions of ``values`` (a column or array) in ``index``; -1 when absent or missing.

    Factorizes the values first and looks up only the distinct ones: on a million Arrow-backed strings this
    is ~5x faster than ``index.get_indexer(values)``.
    """
    codes, uniques = pd.factorize(values)  # type: ignore[call-overload]
    pos = index.get_indexer(uniques)
    out: NDArray[np.intp] = np.where(codes >= 0, pos[np.maximum(codes, 0)], -1) if len(pos) else codes
    return out


def load_store(path: Path | str) -> StoreFrames:
    """Read a results store (SQLite, schema version 1) into DataFrames.

    Args:
        path: The store file.

    Returns:
        All matches (finished and voided) with their rounds and decisions.

    Raises:
        StoreError: The file does not exist, is not a store, has another schema version, or lacks a column.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no results store at {path}")
    check_store_file(path, SCHEMA_VERSION)  # says what the file is when it is not a store
    con = connect_readonly(path)  # creates nothing beside the store; reads read-only folders too
    try:
        frames = {t: pd.read_sql_query(f"SELECT * FROM {t}", con) for t in ("matches", "rounds", "decisions")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    finally:
        con.close()
    return StoreFrames(frames["matches"], frames["rounds"], frames["decisions"], source=str(path))


def check_fingerprints(frames: StoreFrames, allow_mixed: bool = False) -> dict[tuple[str, str], list[str]]:
    """Refuse to pool finished matches with different fingerprints within one (model, game) cell.

    Args:
        frames: The store frames.
        allow_mixed: Pool anyway (``--allow-mixed-fingerprints``).

    Returns:
        The mixed cells found, ``{(model, game): [fingerprints…]}`` (empty when none).

    Raises:
        MixedFingerprintError: A cell is mixed and ``allow_mixed`` is false; names the cell and fingerprints.
    """
    m = frames.matches.loc[frames.matches["status"] == "finished"]
    long = pd.concat(
        [
            pd.DataFrame({"model": m["model_a"], "game": m["game"], "fp": m["fingerprint"]}),
            pd.DataFrame({"model": m["model_b"], "game": m["game"], "fp": m["fingerprint"]}),
        ],
        ignore_index=True,
    ).drop_duplicates()
    mixed: dict[tuple[str, str], list[str]] = {}
    for (model, game), fps in long.groupby(["model", "game"], sort=True)["fp"]:
        if fps.nunique() > 1:
            mixed[(str(model), str(game))] = sorted(str(f) for f in fps.unique())
    if mixed and not allow_mixed:
        (bad_model, bad_game), bad_fps = next(iter(mixed.items()))
        more = f" (and {len(mixed) - 1} more cell(s))" if len(mixed) > 1 else ""
        cell_rulesets = m.loc[m["fingerprint"].isin(bad_fps)].get("ruleset", pd.Series(dtype=object))
        rulesets = sorted(set(cell_rulesets.dropna().astype(str)))
        which = f" of rulesets {', '.join(rulesets)}" if len(rulesets) > 1 else ""
        raise MixedFingerprintError(
            f"cell (model={bad_model}, game={bad_game}) mixes matches{which} with fingerprints "
            f"{', '.join(bad_fps)}{more}; "
            "these measure different things. Report them separately, or pass --allow-mixed-fingerprints "
            "(allow_mixed=True) to pool them anyway."
        )
    return mixed


def own_turns(frames: StoreFrames) -> pd.DataFrame:
    """Tidy table of own turns (finished matches), one row per (match, side, round k ≥ 2 revised by side).

    Columns: ``match_id, game, model, opponent, side, round, label, t`` (0-based own-turn index within the
    match and side), ``win, win_prev, viol, viol_prev, over_budget, revised`` (0/1).
    """
    sr = frames.sides
    own = sr.own
    return pd.DataFrame(
        {
            "match_id": sr.match_ids[sr.match[own]],
            "game": sr.games[sr.game[own]],
            "model": sr.models[sr.model[own]],
            "opponent": sr.models[sr.opp[own]],
            "side": pd.Series(sr.side[own]).map({0: "A", 1: "B"}).to_numpy(),
            "round": sr.round[own],
            "label": sr.label[own],
            "t": sr.own_t[own],
            "win": sr.win[own].astype(int),
            "win_prev": sr.win_prev[own].astype(int),
            "viol": sr.viol[own].astype(int),
            "viol_prev": sr.viol_prev[own].astype(int),
            "over_budget": sr.over[own].astype(int),
            "revised": sr.changed[own].astype(int),
        }
    )
