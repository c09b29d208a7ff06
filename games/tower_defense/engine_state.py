"""The state of one tower defense battle and its rare events (spawns, hits, explosions, melee, skips).

:class:`BattleState` holds the per-row structures the tick loop of :mod:`games.tower_defense.engine`
works on, and the methods that loop calls for events that happen at most a few times per tick. Every
number comes from the ruleset's :class:`~games.tower_defense.ruleset.TDRules`, so one engine plays
every ruleset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from games.core.errors import EngineError
from games.core.types import SideKey
from games.tower_defense.catalogue import (
    ANTI_AIR,
    BULLET_SPEED_PX,
    CELL_PX,
    FIRE,
    GOAL_LEFT_PX,
    NORMAL,
    ORIGIN_PX,
    WEAPON_NAMES,
    spawn_tick,
)
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.ruleset import V1_RULES, TDRules
from games.tower_defense.units import BREAKER, FIRE_D, FLYING, FROST, MACHINE, SHIELD, SUMMONING, Demon, Human

#: Per-tick observer: ``hook(tick, battle)`` after the tick's win checks. Disables fast-forwarding.
TickHook = Callable[[int, "BattleState"], None]

# Outcome of one bullet meeting the first demon it overlaps.
PASS, SPENT, KILLED = 0, 1, 2
#: The fuse start of a LinearExplosion that no demon has touched yet (rules with ``mines``).
UNARMED = 1 << 40


@dataclass
class Outcome:
    """The end of one battle.

    Attributes:
        winner: ``"A"`` (Human) or ``"B"`` (Demon).
        end_tick: Index of the tick at whose end the battle ended.
        lost_row: Row of the demon that reached the goal (Demon win only).
        capped: True when the tick cap ended the battle (counted as a Human win).
        survivors: The winning side's units alive at the end, in creation order.
        humans_lost: Humans destroyed by demons (exploded LinearExplosions are not losses).
        demons_killed: Demons killed (summoned ones included).
        trace: Event trace when one was requested.
        leaked: Demons that reached the goal and left the board (only with more than one life).
    """

    winner: SideKey
    end_tick: int
    lost_row: int | None
    capped: bool
    survivors: list[Human] | list[Demon]
    humans_lost: int
    demons_killed: int
    trace: list[dict[str, Any]] | None = field(default=None)
    leaked: int = 0


class BattleState:
    """State of one battle; :class:`games.tower_defense.engine.Battle` adds the tick loop.

    Args:
        humans: Canonical human entries (``name``, ``x``, ``y``, ``spawn_time``), plan order.
        demons: Canonical demon entries (``name``, ``y``, ``spawn_time``), plan order.
        params: Board size and tick cap.
        trace: When given, a list that receives one dict per event (``spawn``, ``summon``, ``hit``,
            ``attack``, ``jump``, ``explode``, ``death``, ``leak``, ``end``; shots are not traced), each with
            its ``tick``. Meant for tests and debugging; costs nothing when ``None``.
        tick_hook: Called as ``hook(tick, battle)`` at the end of every tick (disables fast-forwarding).
        fast_forward: Skip idle ticks in closed form (results are identical either way).
        rules: The ruleset's units and constants (default: ruleset v1).
    """

    def __init__(
        self,
        humans: Sequence[Mapping[str, Any]],
        demons: Sequence[Mapping[str, Any]],
        params: TowerDefenseParams,
        *,
        trace: list[dict[str, Any]] | None = None,
        tick_hook: TickHook | None = None,
        fast_forward: bool = True,
        rules: TDRules = V1_RULES,
    ) -> None:
        self.rules = rules
        self.cols = cols = params.board_cols
        self.rows = rows = params.board_rows
        self.cap = params.tick_cap
        self.spawn_left = ORIGIN_PX + CELL_PX * cols
        self.screen_w = self.spawn_left + CELL_PX
        self.trace = trace
        self.tick_hook = tick_hook
        self.fast_forward = fast_forward and tick_hook is None
        # Entries sorted by spawn_time (stable: ties keep plan order), with their spawn ticks.
        h_order = sorted(range(len(humans)), key=lambda i: humans[i]["spawn_time"])
        d_order = sorted(range(len(demons)), key=lambda i: demons[i]["spawn_time"])
        self.hq: list[tuple[int, Mapping[str, Any]]] = [
            (spawn_tick(humans[i]["spawn_time"]), humans[i]) for i in h_order
        ]
        self.dq: list[tuple[int, Mapping[str, Any]]] = [
            (spawn_tick(demons[i]["spawn_time"]), demons[i]) for i in d_order
        ]
        self.hi = 0
        self.di = 0
        # Per-row structures. cells[r][c + 2] is the human on column c (padding makes lookups branch-free).
        self.cells: list[list[Human | None]] = [[None] * (cols + 4) for _ in range(rows)]
        self.row_demons: list[list[Demon]] = [[] for _ in range(rows)]
        self.bullets: list[list[tuple[int, int]]] = [[] for _ in range(rows)]
        # Global lists in creation order.
        self.placed: list[Human] = []
        self.shooters: list[Human] = []
        self.fuses: list[Human] = []
        self.demons: list[Demon] = []
        self.summoners: list[Demon] = []
        self.n_demons_created = 0
        self.humans_lost = 0
        self.demons_killed = 0
        self.lives = rules.lives
        self.leaked = 0
        # Constants of the event handlers, looked up once.
        self._stagger = rules.stagger_ticks
        self._shield_factor = rules.shield_demon_factor
        self._frost_fire = rules.fire_vs_frost_demon

    # ------------------------------------------------------------------ rare events
    def _event(self, tick: int, event: str, **data: Any) -> None:
        assert self.trace is not None  # only called when tracing
        self.trace.append({"tick": tick, "event": event, **data})

    def _place_human(self, entry: Mapping[str, Any], tick: int) -> Human:
        spec = self.rules.humans[entry["name"]]
        col, row = entry["x"], entry["y"]
        h = Human(len(self.placed), spec, col, row, tick)
        cell = self.cells[row]
        if cell[col + 2] is not None:
            raise EngineError(f"two humans in cell ({col}, {row}); simulate needs validated plans")
        cell[col + 2] = h
        self.placed.append(h)
        if h.weapon is not None:
            self.shooters.append(h)
        elif spec.explodes:
            self.fuses.append(h)
            if self.rules.mines:
                h.placed = UNARMED
        if self.trace is not None:
            self._event(tick, "spawn", side="human", uid=h.uid, name=spec.name, x=col, y=row)
        return h

    def _add_demon(self, name: str, row: int, x: int, tick: int) -> Demon:
        d = Demon(self.n_demons_created, self.rules.demons[name], row, x, tick)
        self.n_demons_created += 1
        self.demons.append(d)
        self.row_demons[row].append(d)
        if d.kind == SUMMONING:
            self.summoners.append(d)
        return d

    def _spawn_demons(self, tick: int) -> None:
        dq, n = self.dq, len(self.dq)
        while self.di < n and dq[self.di][0] <= tick:
            entry = dq[self.di][1]
            self.di += 1
            d = self._add_demon(entry["name"], entry["y"], self.spawn_left, tick)
            if self.trace is not None:
                self._event(tick, "spawn", side="demon", uid=d.uid, name=d.spec.name, y=d.row, x_px=d.x)

    def _spawn_humans(self, tick: int) -> None:
        hq, n = self.hq, len(self.hq)
        while self.hi < n and hq[self.hi][0] <= tick:
            entry = hq[self.hi][1]
            self.hi += 1
            self._place_human(entry, tick)

    def _summon(self, s: Demon, tick: int) -> None:
        """SummoningDemon creates a NormalDemon (spec §2.8: centre, clamp, snap one column left)."""
        s.last_summon = tick
        cx = min(max(s.x + CELL_PX // 2, 0), CELL_PX * self.cols - 1)
        cy = min(max(ORIGIN_PX + CELL_PX * s.row + CELL_PX // 2, 0), CELL_PX * self.rows - 1)
        col = min(max(cx // CELL_PX - 1, 0), self.cols - 1)
        row = cy // CELL_PX - 1
        # Only a one-row board could summon outside it (into row -1); keep such summons on the board.
        row = max(row, 0)
        d = self._add_demon(self.rules.summoned_demon, row, ORIGIN_PX + CELL_PX * col, tick)
        if self.trace is not None:
            self._event(tick, "summon", summoner=s.uid, uid=d.uid, y=row, x_px=d.x)

    def _drop_demon(self, d: Demon) -> None:
        d.alive = False
        self.demons.remove(d)
        self.row_demons[d.row].remove(d)
        if d.kind == SUMMONING:
            self.summoners.remove(d)

    def _kill_demon(self, d: Demon, tick: int) -> None:
        d.alive = False
        self.demons_killed += 1
        self.demons.remove(d)
        self.row_demons[d.row].remove(d)
        if d.kind == SUMMONING:
            self.summoners.remove(d)
        if self.trace is not None:
            self._event(tick, "death", side="demon", uid=d.uid, name=d.spec.name)

    def _leaks(self, tick: int) -> Demon | None:
        """Demons at the goal (creation order) each cost a life and leave; the one taking the last life."""
        for d in [d for d in self.demons if d.x <= GOAL_LEFT_PX]:
            self.lives -= 1
            if self.lives <= 0:
                return d
            self.leaked += 1
            self._drop_demon(d)
            if self.trace is not None:
                self._event(tick, "leak", uid=d.uid, name=d.spec.name, y=d.row, lives=self.lives)
        return None

    def _touch(self, h1: Human | None, h2: Human | None, tick: int) -> None:
        """A demon touches ``h1``/``h2``: an unarmed LinearExplosion among them starts its fuse now."""
        for h in (h1, h2):
            if h is not None and h.placed == UNARMED:
                h.placed = tick
                if self.trace is not None:
                    self._event(tick, "armed", uid=h.uid, x=h.col, y=h.row)

    def _remove_human(self, h: Human) -> None:
        h.alive = False
        self.cells[h.row][h.col + 2] = None
        if h.weapon is not None:
            self.shooters.remove(h)
        elif h.spec.explodes:
            self.fuses.remove(h)

    def _activate(self, d: Demon) -> None:
        if d.kind == MACHINE:
            d.damage = self.rules.machine_active_damage
            d.speed = self.rules.machine_active_speed_px

    def _bullet_hits(self, d: Demon, weapon: int, tick: int) -> int:
        """Apply a bullet to the first demon it overlaps (matrix of spec §2.6)."""
        kind = d.kind
        if kind == FLYING:
            if weapon != ANTI_AIR:
                return PASS
            d.hp -= 1
        elif weapon == ANTI_AIR:
            return PASS
        elif weapon == NORMAL:
            d.hp -= self._shield_factor if kind == SHIELD else 1
            self._activate(d)
        elif weapon == FIRE:
            d.hp -= 0 if kind == FIRE_D else self._frost_fire if kind == FROST else 2
            self._activate(d)
        else:  # ice: direct HP loss (no reduction, no activation), then slow
            if kind == FROST:
                if self.trace is not None:
                    self._event(tick, "hit", uid=d.uid, weapon="ice", hp=d.hp)
                return SPENT
            if kind == FIRE_D:
                d.hp -= self.rules.ice_vs_fire_demon - 1
                if d.hp > 0:
                    d.hp -= 1
            else:
                d.hp -= 1
            if d.hp > 0:
                d.speed = self.rules.slow_speed_px
                d.slow_end = tick + self.rules.slow_ticks
        if self.trace is not None:
            self._event(tick, "hit", uid=d.uid, weapon=WEAPON_NAMES[weapon], hp=d.hp)
        if d.hp <= 0:
            self._kill_demon(d, tick)
            return KILLED
        return SPENT

    def _explode(self, h: Human, tick: int) -> None:
        """LinearExplosion: damage every demon overlapping its band of rows, then disappear."""
        self._remove_human(h)
        lo_row = h.row - self.rules.explosion_rows_above
        hi_row = h.row + self.rules.explosion_rows_below
        band_right = self.screen_w + ORIGIN_PX
        victims = [
            d
            for d in self.demons
            if lo_row <= d.row <= hi_row and d.kind != FLYING and d.x < band_right and d.x + CELL_PX > 0
        ]
        if self.trace is not None:
            self._event(tick, "explode", uid=h.uid, x=h.col, y=h.row, victims=[d.uid for d in victims])
        for d in victims:
            d.hp -= h.spec.damage
            self._activate(d)
            if d.hp <= 0:
                self._kill_demon(d, tick)

    def _attack(self, d: Demon, h1: Human | None, h2: Human | None, tick: int) -> None:
        """Melee: damage every touching human, then start the stagger."""
        for h in (h1, h2):
            if h is None:
                continue
            dmg = self.rules.shield_breaker_damage if d.kind == BREAKER and h.spec.shield else d.damage
            h.hp -= dmg
            if self.trace is not None:
                self._event(tick, "attack", uid=d.uid, target=h.uid, damage=dmg, hp=h.hp)
            if h.hp <= 0:
                self._remove_human(h)
                self.humans_lost += 1
                if self.trace is not None:
                    self._event(tick, "death", side="human", uid=h.uid, name=h.spec.name)
        d.last_attack = tick
        d.stagger = self._stagger

    def _skip(self, first: int, last: int) -> None:
        """Fast-forward ticks ``first .. last`` during which no demon is alive or spawns.

        Only human placements, shots and explosions without victims can happen then. Shooter timers and
        the bullets still in flight at tick ``last + 1`` are reproduced exactly, in creation order.
        """
        hq = self.hq
        while self.hi < len(hq) and hq[self.hi][0] <= last:
            t, entry = hq[self.hi]
            self.hi += 1
            self._place_human(entry, t)
        for h in list(self.fuses):
            fuse_end = h.placed + h.interval
            if fuse_end <= last:
                self._explode(h, fuse_end)
        new: list[tuple[int, int, int, int, int]] = []
        horizon = last + 1
        for h in self.shooters:
            step = h.interval
            shot = h.last + step
            if shot > last:
                continue
            start = h.left + CELL_PX
            # Oldest shot tick whose bullet is still on screen when tested at tick last + 1.
            oldest = horizon - (self.screen_w - start) // BULLET_SPEED_PX
            n_last = (last - h.last) // step
            h_last = h.last + n_last * step
            if oldest > shot:
                shot += -(-(oldest - shot) // step) * step
            while shot <= h_last:
                new.append((shot, h.uid, h.row, start - BULLET_SPEED_PX * shot, h.weapon))  # type: ignore[arg-type]
                shot += step
            h.last = h_last
        new.sort()
        for _, _, row, offset, weapon in new:
            self.bullets[row].append((offset, weapon))

    def _finish(
        self, winner: SideKey, tick: int, lost_row: int | None, hook: TickHook | None, capped: bool = False
    ) -> Outcome:
        if hook is not None:
            hook(tick, self)
        survivors: list[Human] | list[Demon] = (
            [h for h in self.placed if h.alive] if winner == "A" else list(self.demons)
        )
        if self.trace is not None:
            self._event(tick, "end", winner=winner, lost_row=lost_row, capped=capped)
        return Outcome(
            winner,
            tick,
            lost_row,
            capped,
            survivors,
            self.humans_lost,
            self.demons_killed,
            self.trace,
            self.leaked,
        )
