"""A stored run standing in for the baseline arm: find its matches by job identity, check they compare.

A baseline match is looked up by its identity ``(game, model_a, model_b, first_reviser, seed,
repetition)`` — not by match id, so a store made by an older harness version (other prompt or parser
version, hence another fingerprint and id) can still be the baseline of a harness change. What must agree
is what the comparison depends on: the game's ruleset, the effective game parameters and every protocol
setting except who revises first. A different fingerprint beyond that (prompt/parser version, generation
config) is reported as a note, not refused.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from games.core.errors import UserError
from harness.gate.pairs import ArmMatch
from metrics.load import StoreFrames, load_store

_PROTOCOL_KEYS = (
    "rounds",
    "revision",
    "feedback",
    "initial_attempts",
    "invalid_plan_policy",
    "initial_plans",
)
Identity = tuple[str, str, str, str, int, int]


class BaselineStoreError(UserError):
    """The baseline store cannot provide the pairs the check needs."""


@dataclass
class BaselineStore:
    """The frames of a baseline store, indexed by match identity.

    Attributes:
        path: The store file.
        frames: Its tables.
        notes: Remarks gathered while matching (e.g. other fingerprints).
    """

    path: Path
    frames: StoreFrames
    notes: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> BaselineStore:
        """Read the store (a :class:`metrics.errors.StoreError` if it is not one)."""
        return cls(path=path, frames=load_store(path))

    def _index(self) -> dict[Identity, dict[str, Any]]:
        mt = self.frames.matches
        fin = mt.loc[mt["status"] == "finished"]
        out: dict[Identity, dict[str, Any]] = {}
        records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in fin.to_dict("records")]
        for row in records:
            ident = (
                str(row["game"]),
                str(row["model_a"]),
                str(row["model_b"]),
                str(row["first_reviser"]),
                int(row["seed"]),
                int(row["repetition"]),
            )
            out[ident] = row
        return out

    def models(self) -> list[str]:
        """Every model name appearing in the store."""
        mt = self.frames.matches
        return sorted(set(mt["model_a"].astype(str)) | set(mt["model_b"].astype(str)))

    def resolve(self, matches: Sequence[ArmMatch]) -> list[ArmMatch]:
        """The baseline's matches of ``matches`` with their ids replaced by the stored matches' ids.

        Raises:
            BaselineStoreError: A needed match is not in the store (the message says how many, gives the
                first and what the store holds), or a stored match was played with other game parameters
                or protocol settings.
        """
        index = self._index()
        out: list[ArmMatch] = []
        missing: list[ArmMatch] = []
        other_fp: set[str] = set()
        for m in matches:
            row = index.get(m.job.identity)
            if row is None:
                missing.append(m)
                continue
            self._check_compatible(m, row)
            if str(row["fingerprint"]) != m.job.fingerprint:
                other_fp.add(str(row["fingerprint"]))
            out.append(dataclasses.replace(m, job=dataclasses.replace(m.job, match_id=str(row["match_id"]))))
        if missing:
            first = missing[0].job
            raise BaselineStoreError(
                f"baseline store {self.path} lacks {len(missing)} of the {len(matches)} baseline matches "
                f"this batch needs, e.g. game={first.game} model_a={first.model_a} model_b={first.model_b} "
                f"first_reviser={first.first_reviser} seed={first.seed}; the store holds models "
                f"{', '.join(self.models()) or '(none)'} and seeds {self._seeds()}. Play the baseline there "
                f"with the same --panel/--game/--settings/--seed, or lower --max-matches"
            )
        if other_fp:
            note = (
                f"baseline matches from {self.path} have another fingerprint "
                f"({', '.join(sorted(other_fp))}): same game parameters and protocol settings, but "
                "another prompt/parser version or generation config"
            )
            if note not in self.notes:
                self.notes.append(note)
        return out

    def _seeds(self) -> str:
        seeds = sorted({int(s) for s in self.frames.matches["seed"]})
        if len(seeds) > 8:
            return f"{seeds[0]}..{seeds[-1]} ({len(seeds)} seeds)"
        return ", ".join(str(s) for s in seeds) or "(none)"

    def _check_compatible(self, m: ArmMatch, row: dict[str, Any]) -> None:
        job = m.job
        where = f"baseline store {self.path}, match {row['match_id']} ({job.game}, seed {job.seed})"
        stored_ruleset = row.get("ruleset")
        if isinstance(stored_ruleset, str) and stored_ruleset != job.ruleset:
            raise BaselineStoreError(
                f"{where}: ruleset {stored_ruleset} differs from the check's {job.ruleset}; name the "
                f"store's ruleset with --game {job.game}@ruleset={stored_ruleset}"
            )
        stored_params = (
            json.loads(str(row.get("params_json") or "{}")) if "params_json" in row else job.params
        )
        if stored_params != job.params:
            raise BaselineStoreError(
                f"{where}: game parameters {stored_params} differ from the check's {job.params}"
            )
        stored = json.loads(str(row.get("settings_json") or "{}")) if "settings_json" in row else {}
        for key in _PROTOCOL_KEYS:
            if key in stored and stored[key] != job.settings[key]:
                raise BaselineStoreError(
                    f"{where}: protocol setting {key}={stored[key]!r} differs from the check's "
                    f"{key}={job.settings[key]!r}"
                )
        if int(row["rounds"]) != int(job.settings["rounds"]):
            raise BaselineStoreError(
                f"{where}: rounds={row['rounds']} differs from the check's {job.settings['rounds']}"
            )
