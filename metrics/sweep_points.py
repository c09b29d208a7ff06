"""The points of a parameter sweep stored in one results store.

A sweep (``stratagem sweep``) is one resumable run into one store. Every match of point ``i`` carries, in
its ``settings_json``, the entry ``"sweep": {"point": {PATH: VALUE, …}, "index": i, "base": true|false}``
(PATH like ``games.battle_card.params.budget_a``, ``protocol.rounds``, ``games.tower_defense.ruleset``).
Every point has its own fingerprints, so the ordinary metrics are computed point by point: this module
finds the points (:func:`sweep_of`) and cuts the frames to one point (:meth:`Sweep.frames_at`). A store
whose matches carry no sweep entry is not a sweep (:func:`sweep_of` returns ``None``); matches without the
entry in a sweep store are left out of the sweep and counted in :attr:`Sweep.outside`.

Path order. Canonical JSON sorts the keys, so the order of the sweep's paths is recovered from the points:
the path whose value changes least often along the point order comes first (a grid's last path changes
fastest), ties by name.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from metrics.errors import StoreError
from metrics.frames import StoreFrames, positions
from metrics.store_file import connect_readonly

#: The key of ``settings_json`` that marks a sweep match.
SWEEP_KEY: Final = "sweep"


def show_value(value: Any) -> str:
    """A point value as text: strings as they are, everything else as JSON (``true``, ``3``, ``null``)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class SweepPoint:
    """One point of the sweep as stored.

    Attributes:
        index: 0-based position in the sweep's order.
        values: ``path → value`` (every path of the sweep).
        base: Whether this is the base point (the experiment's own values, else point 0).
        match_ids: The point's matches (finished and voided), sorted.
        n_finished: Its finished matches.
        n_voided: Its voided matches.
        fingerprints: Its distinct fingerprints, sorted.
    """

    index: int
    values: dict[str, Any]
    base: bool
    match_ids: tuple[str, ...]
    n_finished: int
    n_voided: int
    fingerprints: tuple[str, ...]


@dataclass(frozen=True)
class Sweep:
    """The sweep of a store: its points in order and its paths.

    Attributes:
        points: The points with stored matches, by index.
        paths: Every path of the sweep, slowest-changing first (see the module docstring).
        base_index: The index of the base point; the reference of the rank comparisons.
        outside: Matches of the store that carry no sweep entry (left out of the sweep).
        notes: What a reader should know (a base point not played yet, matches left out).
    """

    points: tuple[SweepPoint, ...]
    paths: tuple[str, ...]
    base_index: int
    outside: int = 0
    notes: tuple[str, ...] = ()

    @property
    def base(self) -> SweepPoint:
        """The reference point (the base point, or the first point when the base has no match yet)."""
        return next(p for p in self.points if p.index == self.base_index)

    @property
    def varied(self) -> tuple[str, ...]:
        """The paths that take more than one value over the stored points."""
        return tuple(
            p
            for p in self.paths
            if len({json.dumps(q.values.get(p), sort_keys=True) for q in self.points}) > 1
        )

    def short(self, path: str) -> str:
        """A path's short name: its last part, or more parts where two paths would share it."""
        parts = path.split(".")
        for k in range(1, len(parts) + 1):
            tail = ".".join(parts[-k:])
            if sum(1 for q in self.paths if q.split(".")[-k:] == parts[-k:]) == 1:
                return tail.replace(".params.", ".")
        return path

    def label(self, point: SweepPoint) -> str:
        """``budget_a=10, rounds=3`` (the varied paths; every path when none varies)."""
        shown = self.varied or self.paths
        return ", ".join(f"{self.short(p)}={show_value(point.values.get(p))}" for p in shown)

    def games_swept(self) -> list[str]:
        """Games whose parameters or ruleset the varied paths change (sorted)."""
        return sorted({p.split(".")[1] for p in self.varied if p.startswith("games.") and p.count(".") >= 2})

    def frames_at(self, frames: StoreFrames, point: SweepPoint) -> StoreFrames:
        """``frames`` cut to the matches of ``point`` (its rounds and decisions too)."""
        return _subset(frames, point.match_ids)

    def base_frames(self, frames: StoreFrames) -> StoreFrames:
        """``frames`` cut to the base point: what an ordinary leaderboard of a sweep store shows."""
        return self.frames_at(frames, self.base)

    def note(self) -> str:
        """One line for a report's summary."""
        return (
            f"Parameter sweep of {len(self.points)} points over {', '.join(self.varied or self.paths)}; "
            f"the leaderboard shows the base point only (point {self.base_index}: {self.label(self.base)}); "
            "every point is compared in the sweep section."
        )


def _subset(frames: StoreFrames, ids: Sequence[str]) -> StoreFrames:
    index = pd.Index(list(ids))

    def among(frame: pd.DataFrame) -> pd.DataFrame:
        out: pd.DataFrame = frame.loc[positions(index, frame["match_id"]) >= 0].reset_index(drop=True)
        return out

    return frames.subset(among(frames.matches), among(frames.rounds), among(frames.decisions))


def _settings(frames: StoreFrames) -> pd.Series:
    """``settings_json`` per match (by position in ``frames.matches``), read from the store if not loaded."""
    m = frames.matches
    if "settings_json" in m.columns:
        return m["settings_json"].reset_index(drop=True)
    path = Path(frames.source)
    if not path.is_file():
        return pd.Series([None] * len(m), dtype=object)
    con = connect_readonly(path)
    try:
        rows = con.execute("SELECT match_id, settings_json FROM matches").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    finally:
        con.close()
    found = dict(rows)
    return pd.Series([found.get(str(i)) for i in m["match_id"]], dtype=object)


def _key(text: object, match_id: str) -> tuple[int, dict[str, Any], bool] | None:
    """The sweep entry of one ``settings_json``: ``(index, point, base)``; ``None`` when absent."""
    if not isinstance(text, str) or SWEEP_KEY not in text:
        return None
    try:
        settings = json.loads(text)
    except ValueError:
        return None
    if not isinstance(settings, dict) or SWEEP_KEY not in settings:
        return None
    key = settings[SWEEP_KEY]
    ok = (
        isinstance(key, dict)
        and isinstance(key.get("point"), dict)
        and isinstance(key.get("index"), int)
        and not isinstance(key.get("index"), bool)
        and key["index"] >= 0
        and isinstance(key.get("base"), bool)
    )
    if not ok:
        raise StoreError(
            f"match {match_id} has a malformed sweep entry {json.dumps(key, sort_keys=True)[:200]}; expected "
            '{"point": {PATH: VALUE, ...}, "index": I, "base": true|false}'
        )
    return int(key["index"]), dict(key["point"]), bool(key["base"])


def _path_order(points: Sequence[SweepPoint]) -> tuple[str, ...]:
    paths = sorted({p for q in points for p in q.values})

    def changes(path: str) -> int:
        seq = [json.dumps(q.values.get(path), sort_keys=True) for q in points]
        return sum(1 for a, b in pairwise(seq) if a != b)

    return tuple(sorted(paths, key=lambda p: (changes(p), p)))


def sweep_of(frames: StoreFrames) -> Sweep | None:
    """The sweep of ``frames``, or ``None`` when no match carries a sweep entry (an ordinary store).

    Raises:
        StoreError: A malformed sweep entry, one index with two different value sets, or two base points.
    """
    m = frames.matches
    settings = _settings(frames)
    codes, uniques = pd.factorize(settings.astype(object), use_na_sentinel=True)
    ids = m["match_id"].astype(str).to_numpy(dtype=object)
    first_of = {int(c): int(i) for i, c in reversed(list(enumerate(codes))) if c >= 0}
    keys = {c: _key(uniques[c], str(ids[first_of[c]])) for c in sorted(first_of)}
    status = m["status"].astype(object).to_numpy(dtype=object)
    fps = m["fingerprint"].astype(object).to_numpy(dtype=object)
    by_index: dict[int, dict[str, Any]] = {}
    members: dict[int, list[int]] = {}
    bases: set[int] = set()
    outside = 0
    for row, c in enumerate(codes):
        key = keys.get(int(c)) if c >= 0 else None
        if key is None:
            outside += 1
            continue
        index, values, base = key
        known = by_index.setdefault(index, values)
        if json.dumps(known, sort_keys=True) != json.dumps(values, sort_keys=True):
            raise StoreError(
                f"sweep point {index} has two value sets: {json.dumps(known, sort_keys=True)} and "
                f"{json.dumps(values, sort_keys=True)} (match {ids[row]})"
            )
        members.setdefault(index, []).append(row)
        if base:
            bases.add(index)
    if not by_index:
        return None
    if len(bases) > 1:
        raise StoreError(f"the sweep has {len(bases)} base points ({', '.join(map(str, sorted(bases)))})")
    points = []
    for index in sorted(by_index):
        rows = np.asarray(members[index])
        st = status[rows]
        points.append(
            SweepPoint(
                index=index,
                values=by_index[index],
                base=index in bases,
                match_ids=tuple(sorted(str(i) for i in ids[rows])),
                n_finished=int((st == "finished").sum()),
                n_voided=int((st == "voided").sum()),
                fingerprints=tuple(sorted({str(f) for f in fps[rows]})),
            )
        )
    notes: list[str] = []
    if bases:
        base_index = next(iter(bases))
    else:
        base_index = points[0].index
        notes.append(
            f"No stored match belongs to the base point yet; point {base_index} is the reference instead."
        )
    if outside:
        notes.append(f"{outside} match(es) of the store carry no sweep entry and are left out of the sweep.")
    return Sweep(tuple(points), _path_order(points), base_index, outside, tuple(notes))


def values_columns(sweep: Sweep) -> pd.DataFrame:
    """One row per point: ``point, base, label`` and one column per path (values as :func:`show_value`)."""
    rows = []
    for p in sweep.points:
        row: dict[str, Any] = {"point": p.index, "base": p.index == sweep.base_index, "label": sweep.label(p)}
        row.update({path: show_value(p.values.get(path)) for path in sweep.paths})
        rows.append(row)
    return pd.DataFrame(rows, columns=["point", "base", "label", *sweep.paths])
