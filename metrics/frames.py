"""The store-loading types: :class:`StoreFrames` (a store's tables as DataFrames) and its helpers.

Every metrics module that reads a store's tables imports them from here. This module imports nothing else
of the metrics package, so it never takes part in an import circle: :mod:`metrics.load` reads a store into
these frames, :mod:`metrics.turns` derives the side-rounds from them, :mod:`metrics.resampling` the
bootstrap plan, and each caches its result on the frames object (:attr:`StoreFrames.derived`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.errors import StoreError

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
    def derived(self) -> dict[str, Any]:
        """Derived tables cached per frames object, by name.

        Filled by the modules that compute them: the side-rounds (:func:`metrics.turns.sides_of`), the
        bootstrap plan (:func:`metrics.resampling.match_resamples`), per-match usage
        (:mod:`metrics.failures`). Keeping the cache untyped here is what lets those modules import this one
        without this one importing them.
        """
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

        return self.subset(
            self.matches.loc[keep].reset_index(drop=True), among(self.rounds), among(self.decisions)
        )

    def subset(self, matches: pd.DataFrame, rounds: pd.DataFrame, decisions: pd.DataFrame) -> StoreFrames:
        """Frames of some of these rows (same source), which can still read the deferred columns."""
        out = StoreFrames(matches=matches, rounds=rounds, decisions=decisions, source=self.source)
        if "deferred" in self.derived:
            out.derived["deferred"] = self.derived["deferred"]
        return out

    def with_columns(
        self, table: str, columns: Sequence[str], rows: NDArray[np.intp] | None = None
    ) -> pd.DataFrame:
        """Table ``table`` (``rows`` of it: positions; default all) with ``columns`` added where missing.

        A column the loader deferred (:func:`metrics.load.load_store` reads the required columns of
        ``rounds`` and ``decisions`` at first) is read from the store now. Frames built in memory have no
        store: a column they lack stays missing, and the caller decides what that means.
        """
        frame: pd.DataFrame = getattr(self, table)
        if rows is not None:
            frame = frame.iloc[rows]
        missing = [c for c in columns if c not in frame.columns]
        reader = self.derived.get("deferred")
        if not missing or reader is None:
            return frame
        extra: pd.DataFrame = reader(table, missing, frame)
        return pd.concat([frame, extra], axis=1)


def positions(index: pd.Index, values: object) -> NDArray[np.intp]:
    """Positions of ``values`` (a column or array) in ``index``; -1 when absent or missing.

    Factorizes the values first and looks up only the distinct ones: on a million Arrow-backed strings this
    is ~5x faster than ``index.get_indexer(values)``.
    """
    codes, uniques = pd.factorize(values)  # type: ignore[call-overload]
    pos = index.get_indexer(uniques)
    out: NDArray[np.intp] = np.where(codes >= 0, pos[np.maximum(codes, 0)], -1) if len(pos) else codes
    return out
