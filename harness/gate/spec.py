"""What one ``stratagem check`` measures: the arms, the panel, the gated metric, the budget and the design.

A check compares two **arms**, the candidate and the baseline, on identical **pairs**: one pair is one game,
one panel opponent and one seed, played in every configured setting (the side the arm plays × who revises
first), once by each arm. The pair's difference is the metric of the candidate's matches minus the
baseline's, pooled over the pair's settings (so side advantages cancel inside the pair).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from games.core.errors import ParameterError, UnknownNameError
from games.core.types import SideKey
from games.refs import parse_game_ref
from harness.limits import MAX_ROUNDS
from harness.models.settings import CacheMode
from harness.models.types import GenerateConfig
from metrics.sequential import SequentialDesign

Arm = Literal["candidate", "baseline"]
ARMS: Final[tuple[Arm, Arm]] = ("candidate", "baseline")


@dataclass(frozen=True)
class GateMetric:
    """A metric the gate can test: in [0, 1], with a known good direction.

    Attributes:
        name: The metric name, as in ``metrics.csv``.
        higher_is_better: Direction; the test works on differences oriented so that positive is better.
        description: One line for ``--help`` and the verdict table.
    """

    name: str
    higher_is_better: bool
    description: str


#: Metrics that can be gated. ORR and β are left out on purpose: revising often is neither good nor bad,
#: and β is a slope, not a bounded rate, so neither has a "worse" direction the test could use.
GATE_METRICS: Final[dict[str, GateMetric]] = {
    m.name: m
    for m in (
        GateMetric("wr", True, "win rate over own revision turns"),
        GateMetric("match_wr", True, "share of matches won (adjudicated winner of the last round)"),
        GateMetric("csr", True, "correction success rate"),
        GateMetric("obr", False, "over-budget ratio (lower is better)"),
        GateMetric("composite", True, "weighted mean of WR, CSR and 1 - OBR"),
    )
}

#: ``--panel`` shortcuts.
PANELS: Final[dict[str, tuple[str, ...]]] = {
    "bots": ("bot/random", "bot/greedy", "bot/search"),
    "greedy": ("bot/greedy",),
}

#: ``--settings`` shortcuts: (side the arm plays, who revises first).
SETTINGS: Final[dict[str, tuple[tuple[SideKey, SideKey], ...]]] = {
    "paper": (("A", "A"), ("A", "B"), ("B", "A"), ("B", "B")),
    "sides": (("A", "A"), ("B", "A")),
}


def gate_metric(name: str) -> GateMetric:
    """The gate metric called ``name``.

    Raises:
        UnknownNameError: Not a gateable metric (the message lists the known ones).
    """
    if name not in GATE_METRICS:
        hint = " (orr and beta have no 'worse' direction)" if name in ("orr", "beta") else ""
        raise UnknownNameError(f"metric {name!r} cannot be gated{hint}; known: {', '.join(GATE_METRICS)}")
    return GATE_METRICS[name]


def parse_panel(text: str) -> tuple[str, ...]:
    """``bots`` or a comma-separated list of model names → the panel (order kept, duplicates refused).

    Raises:
        ParameterError: Empty panel or a repeated opponent.
    """
    text = text.strip()
    if text in PANELS:
        return PANELS[text]
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise ParameterError(
            f"--panel is empty; give model names separated by commas or one of {list(PANELS)}"
        )
    if len(set(names)) != len(names):
        raise ParameterError(f"--panel lists an opponent twice: {text!r}")
    return names


@dataclass(frozen=True)
class CheckSpec:
    """A fully validated check.

    Attributes:
        candidate: The model under test.
        baseline: The reference model (when ``baseline_store`` is set: its name inside that store).
        panel: Opponents both arms play.
        games: Games played (pairs cycle through games × panel), as ``GAME[@ruleset=R][,param=value]``;
            normalized on construction to the canonical form with the ruleset spelled out
            (``battle_card`` → ``battle_card@ruleset=v2``).
        metric: The gated metric.
        design: Margin and error rates of the sequential test.
        max_matches: Budget: matches of both arms together; the check ends inconclusive when the next
            batch would exceed it.
        settings: (side the arm plays, first reviser) played for every pair.
        rounds: The protocol's ``rounds``.
        feedback: The protocol's ``feedback``.
        seed: First seed; pair ``i`` of a (game, opponent) cycle ``c`` plays seed ``seed + c``.
        batch_pairs: Pairs per batch; ``None`` means one full cycle of games × panel.
        baseline_store: A results store whose matches stand in for the baseline arm (not replayed).
        store: Where this check writes the matches it plays (``None``: a temporary file).
        cache_mode: The model layer's response-cache mode.
        cache_path: The response cache / cassette file.
        concurrency: Matches in flight.
        generation: Generation config of every model call.
    """

    candidate: str
    baseline: str
    panel: tuple[str, ...]
    games: tuple[str, ...]
    metric: GateMetric
    design: SequentialDesign
    max_matches: int
    settings: tuple[tuple[SideKey, SideKey], ...] = SETTINGS["paper"]
    rounds: int = 10
    feedback: Literal["outcome", "detailed"] = "outcome"
    seed: int = 0
    batch_pairs: int | None = None
    baseline_store: Path | None = None
    store: Path | None = None
    cache_mode: CacheMode = "off"
    cache_path: Path = Path("results/model_cache.sqlite")
    concurrency: int = 8
    generation: GenerateConfig = field(default_factory=GenerateConfig)

    def __post_init__(self) -> None:
        # Canonical names with the ruleset spelled out, so reports and stores say what was played.
        games = tuple(str(parse_game_ref(g)) for g in self.games)
        if len(set(games)) != len(games):
            raise ParameterError(f"--game lists a game twice: {', '.join(games)}")
        object.__setattr__(self, "games", games)
        if not self.games:
            raise ParameterError("at least one game is needed")
        if not self.panel:
            raise ParameterError("the panel needs at least one opponent")
        if not self.settings or len(set(self.settings)) != len(self.settings):
            raise ParameterError("settings must be a non-empty list without repeats")
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise ParameterError(f"--rounds must be between 1 and {MAX_ROUNDS}, got {self.rounds}")
        if self.seed < 0:
            raise ParameterError(f"--seed must be >= 0, got {self.seed}")
        if self.concurrency < 1:
            raise ParameterError(f"--concurrency must be at least 1, got {self.concurrency}")
        if self.batch_pairs is not None and self.batch_pairs < 1:
            raise ParameterError(f"--batch must be at least 1 pair, got {self.batch_pairs}")
        if self.max_pairs < 1:
            raise ParameterError(
                f"--max-matches {self.max_matches} is less than one pair "
                f"({self.matches_per_pair} matches: 2 arms x {len(self.settings)} settings)"
            )
        for arm, name in (("candidate", self.candidate), ("baseline", self.baseline)):
            if name in self.panel:
                # It would play itself: its "result" against itself says nothing about its strength.
                raise ParameterError(
                    f"the {arm} {name!r} is also in --panel; choose opponents other than the arms"
                )
        if self.baseline_store is None and self.baseline == self.candidate:
            # Same name, same settings: the very same matches would be compared with themselves.
            raise ParameterError(
                f"candidate and baseline are the same model ({self.candidate!r}); nothing to compare"
            )

    @property
    def matches_per_pair(self) -> int:
        """Matches one pair costs: both arms, every setting."""
        return 2 * len(self.settings)

    @property
    def max_pairs(self) -> int:
        """The budget in pairs."""
        return self.max_matches // self.matches_per_pair

    @property
    def cycle(self) -> int:
        """Pairs in one cycle through games × panel."""
        return len(self.games) * len(self.panel)

    @property
    def pairs_per_batch(self) -> int:
        """Pairs played between two looks at the evidence."""
        return self.batch_pairs if self.batch_pairs is not None else self.cycle
