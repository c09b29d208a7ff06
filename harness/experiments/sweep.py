"""Parameter sweeps: one experiment played at several points of its parameters, into one store.

A sweep names paths (:mod:`harness.experiments.sweep_paths`) and the values each takes, in the file::

    sweep:
      mode: grid        # the default: every combination; or zip: the i-th value of every path
      vary:
        games.battle_card.params.defenders_budget: [10, 20, 30]
        protocol.rounds: [3, 5]

or on the command line (``stratagem sweep CONFIG --vary PATH=V1,V2,…``, repeatable, values read as YAML
scalars). A ``--vary`` of a path the file varies replaces its values in place; a new path goes after the
file's. ``--mode`` replaces ``mode``.

**Points** come in a fixed order: paths in the order given, values in the order given; ``grid`` is the
cartesian product in that order (the last path changes fastest), ``zip`` pairs the lists (all of one
length). Every point is the experiment with those values put in, and plays all of its jobs
(:class:`~harness.experiments.expand.JobPlan`).

**The sweep key.** Every job of point ``i`` carries ``{"point": {PATH: VALUE, …}, "index": i, "base":
b}``: it is stored as the ``"sweep"`` entry of the match's ``settings_json`` and hashed into its
fingerprint (:func:`~harness.experiments.identity.fingerprint`), so every point has its own fingerprints
and match ids even for a game the sweep does not touch, and nothing pools across points. Exactly one point
has ``base`` true: the one whose values are the experiment's own, else point 0. Ordinary experiments carry
no key, and their jobs are what they always were.

Everything is checked before anything runs (:class:`~harness.experiments.sweep_paths.SweepError`, one
line naming the path and what is allowed): paths, each value, the mode, list lengths, and every point
whole (a parameter that one ruleset of a swept ruleset does not have, a budget under a point's cheapest
entry).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, product
from typing import Any, Literal

import yaml

from games.core.errors import UserError
from games.core.types import canonical_json
from games.registry import get_game
from harness.experiments.config import ExperimentConfig, GameSpec, ProtocolConfig
from harness.experiments.expand import JobPlan
from harness.experiments.jobs import MatchJob
from harness.experiments.sweep_paths import (
    PATH_FORMS,
    SweepError,
    SweepPath,
    check_value,
    experiment_value,
    param_problem,
    parse_path,
    show,
)
from harness.experiments.yaml_lines import ConfigError, LineIndex

SweepMode = Literal["grid", "zip"]
MODES: tuple[SweepMode, ...] = ("grid", "zip")
#: The most points one sweep may have (a grid grows fast; each point is checked before anything runs).
MAX_POINTS = 10_000


@dataclass(frozen=True)
class VaryEntry:
    """One varied path and its values, with where it was given (for messages).

    Attributes:
        path: The path as written.
        values: Its values, in order.
        where: ``file.yaml:7: sweep.vary`` or ``--vary``.
    """

    path: str
    values: tuple[Any, ...]
    where: str


@dataclass(frozen=True)
class SweepSpec:
    """What to vary and how: the ``sweep:`` block merged with the command line.

    Attributes:
        mode: ``grid`` or ``zip``.
        vary: The varied paths, in order.
        where: Where the mode was set (``file.yaml:3: sweep.mode``, ``--mode``, ``sweep``).
    """

    mode: SweepMode
    vary: tuple[VaryEntry, ...]
    where: str = "sweep"

    def as_json(self) -> dict[str, Any]:
        """``{"mode": …, "vary": {path: [values]}}`` (what the run records)."""
        return {"mode": self.mode, "vary": {e.path: list(e.values) for e in self.vary}}


def parse_vary_option(text: str) -> VaryEntry:
    """``PATH=V1,V2,…`` (the ``--vary`` option) → an entry; each value is read as a YAML scalar.

    Raises:
        SweepError: No ``=``, no path, or no values.
    """
    path, sep, rest = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise SweepError(f"--vary: {text}: expected PATH=V1,V2,… (PATH: {PATH_FORMS})")
    if not rest.strip():
        raise SweepError(f"--vary: {path}: no values; give at least one, e.g. {path}=1,2")
    values = []
    for part in (p.strip() for p in rest.split(",")):
        if not part:
            raise SweepError(f"--vary: {text}: an empty value; separate values with single commas")
        try:
            values.append(yaml.safe_load(part))
        except yaml.YAMLError:
            values.append(part)  # not YAML: the text itself (then checked like any value)
    return VaryEntry(path, tuple(values), "--vary")


def spec_from_yaml(raw: Any, index: LineIndex, source: str) -> SweepSpec:
    """The ``sweep:`` block of an experiment file (``raw``, its parsed YAML) → a spec.

    Raises:
        ConfigError: A malformed block (one line naming the file, line and field).
    """

    def fail(loc: tuple[str, ...], message: str) -> ConfigError:
        line = index.line_of(("sweep", *loc))
        field = ".".join(("sweep", *loc[:1]))
        return ConfigError(f"{source}:{line}: {field}: {message}")

    if not isinstance(raw, dict):
        raise fail((), "must be a mapping with mode (grid or zip) and vary: {PATH: [values]}")
    for key in raw:
        if key not in ("mode", "vary"):
            raise fail((str(key),), "unknown field (a sweep has mode and vary)")
    given = raw.get("mode", "grid")
    if given not in MODES:
        raise fail(("mode",), f"must be grid or zip, got {given!r}")
    mode: SweepMode = "zip" if given == "zip" else "grid"
    vary = raw.get("vary")
    if not isinstance(vary, dict) or not vary:
        if "vary" not in raw:
            raise fail((), "vary is missing; give vary: {PATH: [values], …}")
        raise fail(("vary",), "must map each PATH to a list of values")
    entries = []
    for path, values in vary.items():
        where = f"{source}:{index.line_of(('sweep', 'vary', str(path)))}: sweep.vary"
        if not isinstance(values, list):
            raise SweepError(f"{where}: {path}: values must be a list, e.g. [1, 2]")
        entries.append(VaryEntry(str(path), tuple(values), where))
    mode_where = f"{source}:{index.line_of(('sweep', 'mode'))}: sweep" if "mode" in raw else "sweep"
    return SweepSpec(mode, tuple(entries), mode_where)


def merge(base: SweepSpec | None, options: Sequence[VaryEntry], mode: SweepMode | None) -> SweepSpec:
    """The file's sweep with the command line's ``--vary`` entries and ``--mode`` applied.

    Raises:
        SweepError: Nothing to vary, or a path given twice on the command line.
    """
    entries = list(base.vary) if base is not None else []
    seen: set[str] = set()
    for option in options:
        if option.path in seen:
            raise SweepError(f"--vary: {option.path}: given twice; give all its values in one --vary")
        seen.add(option.path)
        at = next((i for i, e in enumerate(entries) if e.path == option.path), None)
        if at is None:
            entries.append(option)
        else:
            entries[at] = option
    if not entries:
        raise SweepError(
            "nothing to sweep: give --vary PATH=V1,V2,… or a sweep: block in the experiment file"
        )
    if mode is not None:
        return SweepSpec(mode, tuple(entries), "--mode")
    return SweepSpec(base.mode if base else "grid", tuple(entries), base.where if base else "sweep")


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: its values and the experiment they make.

    Attributes:
        index: 0-based position in the sweep's order.
        values: ``path → value``, in the sweep's path order.
        base: Whether this is the base point (see the module docstring).
        config: The experiment with the values put in.
    """

    index: int
    values: dict[str, Any]
    base: bool
    config: ExperimentConfig

    @property
    def key(self) -> dict[str, Any]:
        """The sweep key its jobs carry: ``{"point": {…}, "index": i, "base": b}``."""
        return {"point": dict(self.values), "index": self.index, "base": self.base}

    def plan(self) -> JobPlan:
        """The point's jobs (lazy), each carrying :attr:`key`."""
        return JobPlan(self.config, sweep=self.key)

    def label(self) -> str:
        """``path=value path=value`` (strings bare, other values as JSON), for the dry run."""
        return " ".join(f"{p}={v if isinstance(v, str) else show(v)}" for p, v in self.values.items())


class SweepPlan:
    """The jobs of every point, point by point in order; a lazy, sized job source like :class:`JobPlan`.

    Args:
        config: The experiment (its own values are the base point's).
        spec: What to vary.

    Raises:
        SweepError: Anything in the sweep that cannot be played (see the module docstring).
    """

    def __init__(self, config: ExperimentConfig, spec: SweepSpec) -> None:
        self.config = config
        self.spec = spec
        self.points = build_points(config, spec)
        self._plans = [p.plan() for p in self.points]

    def __len__(self) -> int:
        return sum(len(p) for p in self._plans)

    def __iter__(self) -> Iterator[MatchJob]:
        return chain.from_iterable(self._plans)

    def plans(self) -> list[tuple[SweepPoint, JobPlan]]:
        """Every point with its jobs."""
        return list(zip(self.points, self._plans, strict=True))

    def fingerprints(self) -> set[str]:
        """The fingerprints of every point's jobs (computed without making the jobs)."""
        return set().union(*(p.fingerprints() for p in self._plans))

    def run_config_json(self) -> str:
        """What the run records: the experiment and its sweep, canonical JSON."""
        return canonical_json({**self.config.model_dump(mode="json"), "sweep": self.spec.as_json()})


def build_points(config: ExperimentConfig, spec: SweepSpec) -> list[SweepPoint]:
    """The sweep's points in order, every value and every point checked.

    Raises:
        SweepError: See the module docstring.
    """
    paths: list[SweepPath] = []
    for entry in spec.vary:
        paths.append(_at(entry.where, lambda e=entry: parse_path(e.path, config)))
    for entry, path in zip(spec.vary, paths, strict=True):
        _check_entry(entry, path, config, paths, spec)
    lists = [e.values for e in spec.vary]
    if spec.mode == "zip" and len({len(v) for v in lists}) > 1:
        sizes = ", ".join(f"{e.path} has {len(e.values)}" for e in spec.vary)
        raise SweepError(f"{spec.where}: zip needs value lists of one length: {sizes}")
    count = 1
    for values in lists:
        count *= len(values)
    if spec.mode == "grid" and count > MAX_POINTS:
        raise SweepError(f"{spec.where}: the grid has {count} points; at most {MAX_POINTS}")
    combos = list(product(*lists)) if spec.mode == "grid" else list(zip(*lists, strict=True))
    own = [canonical_json(experiment_value(p, config)) for p in paths]
    base = next((i for i, c in enumerate(combos) if [canonical_json(v) for v in c] == own), 0)
    points = []
    for i, combo in enumerate(combos):
        named = {e.path: v for e, v in zip(spec.vary, combo, strict=True)}
        points.append(SweepPoint(i, named, i == base, _point_config(config, paths, combo, i, named)))
    return points


def _at(where: str, check: Any) -> Any:
    try:
        return check()
    except SweepError as exc:
        raise SweepError(f"{where}: {exc}") from None


def _check_entry(
    entry: VaryEntry, path: SweepPath, config: ExperimentConfig, paths: list[SweepPath], spec: SweepSpec
) -> None:
    if not entry.values:
        raise SweepError(f"{entry.where}: {entry.path}: no values; give at least one")
    if sum(1 for p in paths if p.text == path.text) > 1:
        raise SweepError(f"{entry.where}: {entry.path} is varied twice")
    seen: set[str] = set()
    for value in entry.values:
        text = canonical_json(value) if not isinstance(value, (list, dict)) else repr(value)
        if text in seen:
            raise SweepError(f"{entry.where}: {entry.path} = {text} is listed twice")
        seen.add(text)
    rulesets = _rulesets_of(path.game, config, spec) if path.kind == "param" else []
    for value in entry.values:
        _at(entry.where, lambda v=value: check_value(path, v, config, rulesets))


def _rulesets_of(game: str | None, config: ExperimentConfig, spec: SweepSpec) -> list[str]:
    """The rulesets ``game`` plays in the sweep: the swept ones, else the experiment's."""
    swept = next((e for e in spec.vary if e.path == f"games.{game}.ruleset"), None)
    if swept is not None:
        return [str(v) for v in swept.values]
    return [next(g.ruleset for g in config.games if g.name == game)]


def _point_config(
    config: ExperimentConfig, paths: list[SweepPath], combo: Sequence[Any], index: int, values: dict[str, Any]
) -> ExperimentConfig:
    """``config`` with one point's values put in (each changed game checked whole)."""
    where = f"sweep point {index} ({' '.join(f'{p}={show(v)}' for p, v in values.items())})"
    games = []
    for spec in config.games:
        mine = [(p, v) for p, v in zip(paths, combo, strict=True) if p.game == spec.name]
        if not mine:
            games.append(spec)
            continue
        ruleset = next((str(v) for p, v in mine if p.kind == "ruleset"), spec.ruleset)
        params = {**spec.params, **{str(p.name): v for p, v in mine if p.kind == "param"}}
        try:
            get_game(spec.name, params, ruleset)
        except UserError as exc:
            raise SweepError(f"{where}: {exc} ({spec.name}@ruleset={ruleset})") from None
        for p, v in mine:
            problem = param_problem(spec.name, str(p.name), v, params, ruleset) if p.kind == "param" else None
            if problem is not None:
                raise SweepError(f"{where}: {p.text} = {show(v)}: {problem}")
        games.append(GameSpec.model_validate({"name": spec.name, "ruleset": ruleset, "params": params}))
    settings = {str(p.name): v for p, v in zip(paths, combo, strict=True) if p.kind == "protocol"}
    protocol = (
        ProtocolConfig.model_validate({**config.protocol.model_dump(), **settings})
        if settings
        else config.protocol
    )
    return config.model_copy(update={"games": games, "protocol": protocol})
