"""The outcome of a check: verdict, exit code, the verdict table (rich) and its JSON form.

Exit codes: 0 pass, 1 fail, 3 inconclusive (2, bad input, is raised before any outcome exists).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from harness.gate.pairs import Pair
from harness.gate.spec import CheckSpec
from metrics.sequential import SequentialResult

FinalVerdict = Literal["pass", "fail", "inconclusive"]
EXIT_CODES: Final[dict[str, int]] = {"pass": 0, "fail": 1, "inconclusive": 3}
_STYLE: Final = {"pass": "bold green", "fail": "bold red", "inconclusive": "bold yellow"}


@dataclass(frozen=True)
class PairOutcome:
    """One pair's values (raw metric values; ``diff`` oriented so that positive = candidate better).

    ``diff`` is ``None`` when the metric is undefined for either arm (e.g. CSR without any correction);
    such a pair does not enter the test.
    """

    pair: Pair
    candidate: float
    baseline: float
    n_candidate: int
    n_baseline: int
    diff: float | None


@dataclass(frozen=True)
class CheckReport:
    """Everything a finished check knows.

    Attributes:
        spec: The check.
        verdict: ``pass``, ``fail`` or ``inconclusive``.
        test: The sequential test's state at the stop.
        pairs: Every pair evaluated, in planned order (the test used the first ``test.n_used`` defined
            differences).
        matches_played: Matches this check played (the rest came from its store or the baseline store).
        matches_reused: Matches found already finished (resumed store, or the baseline store).
        baseline_source: ``replayed`` or the baseline store's path.
        notes: Remarks for the reader (e.g. the baseline store was made by another harness version).
    """

    spec: CheckSpec
    verdict: FinalVerdict
    test: SequentialResult
    pairs: list[PairOutcome]
    matches_played: int
    matches_reused: int
    baseline_source: str
    notes: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail, 3 inconclusive."""
        return EXIT_CODES[self.verdict]

    def used_pairs(self) -> list[PairOutcome]:
        """The pairs whose differences the test consumed up to its decision."""
        defined = [p for p in self.pairs if p.diff is not None]
        return defined[: self.test.n_used]

    def _raw(self, oriented: float) -> float:
        """An oriented difference back in the metric's own direction (candidate − baseline)."""
        return oriented if self.spec.metric.higher_is_better else -oriented

    def _row(
        self, label: str, pairs: list[PairOutcome], interval: tuple[float, float] | None
    ) -> dict[str, Any]:
        def mean(xs: list[float]) -> float | None:
            return sum(xs) / len(xs) if xs else None

        diffs = [p.diff for p in pairs if p.diff is not None]
        diff = mean([self._raw(d) for d in diffs])
        lo_hi: list[float] | None = None
        if interval is not None:
            a, b = self._raw(interval[0]), self._raw(interval[1])
            lo_hi = [min(a, b), max(a, b)]
        return {
            "scope": label,
            "metric": self.spec.metric.name,
            "baseline": mean([p.baseline for p in pairs]),
            "candidate": mean([p.candidate for p in pairs]),
            "difference": diff,
            "interval": lo_hi,
            "pairs": len(pairs),
            "matches": len(pairs) * self.spec.matches_per_pair,
        }

    def table_rows(self) -> list[dict[str, Any]]:
        """The verdict table: the overall row (the one the verdict is about), then one row per game."""
        used = self.used_pairs()
        rows = [self._row("all", used, (self.test.lower, self.test.upper) if used else None)]
        if len(self.spec.games) > 1:
            for game in self.spec.games:
                rows.append(self._row(game, [p for p in used if p.pair.game == game], None))
        return rows

    def to_json(self) -> dict[str, Any]:
        """The JSON document ``--json`` writes (NaN written as ``null``)."""
        spec, t = self.spec, self.test
        doc: dict[str, Any] = {
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "candidate": spec.candidate,
            "baseline": spec.baseline,
            "baseline_source": self.baseline_source,
            "metric": spec.metric.name,
            "higher_is_better": spec.metric.higher_is_better,
            "hypotheses": {
                "H0_worse": f"mean paired difference <= -{spec.design.margin} (pass rejects it: P <= alpha)",
                "H1_not_worse": "mean paired difference >= 0 (fail rejects it: P <= beta)",
            },
            "design": {
                "test": "sequential betting test on paired differences (metrics/sequential.py)",
                "margin": spec.design.margin,
                "alpha": spec.design.alpha,
                "beta": spec.design.beta,
                "bet_cap": spec.design.bet_cap,
                "max_matches": spec.max_matches,
                "max_pairs": spec.max_pairs,
                "pairs_per_batch": spec.pairs_per_batch,
            },
            "panel": list(spec.panel),
            "games": list(spec.games),
            "settings": [{"side": s, "first_reviser": f} for s, f in spec.settings],
            "rounds": spec.rounds,
            "seed": spec.seed,
            "table": self.table_rows(),
            "interval_levels": {"lower": 1 - spec.design.alpha, "upper": 1 - spec.design.beta},
            "pairs_used": t.n_used,
            "pairs_evaluated": len(self.pairs),
            "pairs_undefined": sum(p.diff is None for p in self.pairs),
            "matches_used": t.n_used * spec.matches_per_pair,
            "matches_played": self.matches_played,
            "matches_reused": self.matches_reused,
            "test": {
                "log_capital_pass": t.log_capital_pass,
                "pass_threshold": t.pass_threshold,
                "log_capital_fail": t.log_capital_fail,
                "fail_threshold": t.fail_threshold,
            },
            "notes": list(self.notes),
            "pairs": [
                {
                    "index": p.pair.index,
                    "game": p.pair.game,
                    "opponent": p.pair.opponent,
                    "seed": p.pair.seed,
                    "candidate": p.candidate,
                    "baseline": p.baseline,
                    "diff": p.diff,
                }
                for p in self.pairs
            ],
        }
        clean: dict[str, Any] = _nan_to_none(doc)
        return clean

    def write_json(self, path: Path) -> None:
        """Write :meth:`to_json` to ``path`` (parents created)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(self.to_json(), indent=2, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8"
        )

    def renderable(self) -> Group:
        """The verdict table and a one-line verdict, for the terminal."""
        spec = self.spec
        table = Table(title="stratagem check", title_justify="left")
        for name, justify in (
            ("scope", "left"),
            ("metric", "left"),
            ("baseline", "right"),
            ("candidate", "right"),
            ("difference", "right"),
            ("interval", "right"),
            ("pairs", "right"),
            ("matches", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in self.table_rows():
            interval = row["interval"]
            table.add_row(
                escape(row["scope"]),
                row["metric"],
                _fmt(row["baseline"]),
                _fmt(row["candidate"]),
                _fmt(row["difference"], signed=True),
                ""
                if interval is None
                else f"[{_fmt(interval[0], signed=True)}, {_fmt(interval[1], signed=True)}]",
                str(row["pairs"]),
                str(row["matches"]),
            )
        bound = f"-{spec.design.margin:g}" if spec.metric.higher_is_better else f"+{spec.design.margin:g}"
        line = Text.assemble(
            (self.verdict.upper(), _STYLE[self.verdict]),
            f"  candidate {spec.candidate} vs baseline {spec.baseline} ({self.baseline_source}); "
            f"margin {bound} on {spec.metric.name}; alpha {spec.design.alpha:g}, beta {spec.design.beta:g} "
            f"(interval: {_pct(1 - spec.design.alpha)} lower / {_pct(1 - spec.design.beta)} upper bound, "
            "anytime-valid); "
            f"{self.matches_played} matches played, {self.matches_reused} reused",
        )
        parts: list[Any] = [table, line]
        parts += [Text(f"note: {n}", style="dim") for n in self.notes]
        return Group(*parts)


def _pct(x: float) -> str:
    return f"{100 * x:g}%"


def _fmt(x: float | None, *, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nan_to_none(v) for v in obj]
    return obj
