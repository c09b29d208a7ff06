"""The tower defense simulator: canonical fixed-timestep model A (spec §2.7–2.10), exactly.

One call of :func:`run_battle` plays two canonical plans tick by tick with the procedure of spec §2.9:
1. spawns (humans, then demons), 2. summons, 3. bullet hits, 4. humans act, 5. demons act,
6. bullets move, 7. demon-win check, 8. human-win check. Movement is per tick in integer pixels, overlap
tests are discrete (bullets can tunnel through demons, as in the original), demon HP is an IEEE double.

Speed matters (bots simulate thousands of battles), so the hot loop works on plain per-row lists:

* Rows only interact through explosions and summons, and a bullet or a melee contact only ever involves
  units of one row, so bullets and demons are kept per row (in creation order) and a row without demons
  never scans its bullets.
* A bullet is stored as ``(offset, weapon)`` with ``offset = start_px - 100 * created_tick``; its left edge
  at tick ``k`` is ``offset + 100 k``, so bullets never need a "move" step.
* Humans sit on the 80-px lattice, so the humans a demon touches are found by indexing a per-row cell
  array instead of scanning the row.
* While no demon is alive and the next demon spawn is in the future, nothing observable can happen except
  placements, shots and harmless explosions, so those ticks are fast-forwarded in closed form (shooter
  timers, bullets still in flight and LinearExplosion fuses are reproduced exactly). This is what makes
  absurd spawn times cheap; tests check it against the plain tick loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from games.core.errors import EngineError
from games.core.types import SideKey
from games.tower_defense.catalogue import (
    ANTI_AIR,
    BOUNCE_PX,
    BULLET_SPEED_PX,
    BULLET_WIDTH_PX,
    CELL_PX,
    DEMONS,
    EXPLOSION_ROWS_ABOVE,
    FIRE,
    FIRE_VS_FROST_DEMON,
    GOAL_LEFT_PX,
    HUMANS,
    ICE_VS_FIRE_DEMON,
    MACHINE_ACTIVE_DAMAGE,
    MACHINE_ACTIVE_SPEED_PX,
    MELEE_COOLDOWN_TICKS,
    NORMAL,
    ORIGIN_PX,
    SHIELD_BREAKER_DAMAGE,
    SHIELD_DEMON_FACTOR,
    SLOW_SPEED_PX,
    SLOW_TICKS,
    STAGGER_TICKS,
    SUMMON_TICKS,
    SUMMONED_DEMON,
    WEAPON_NAMES,
    WOBBLE_PX,
    spawn_tick,
)
from games.tower_defense.catalogue import BASE_SPEED_PX as BASE_SPEED
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.units import (
    BOUNCING,
    BREAKER,
    FIRE_D,
    FLYING,
    FROST,
    MACHINE,
    SHIELD,
    SUMMONING,
    Demon,
    Human,
)

#: Per-tick observer: ``hook(tick, battle)`` after the tick's win checks. Disables fast-forwarding.
TickHook = Callable[[int, "Battle"], None]

# Outcome of one bullet meeting the first demon it overlaps.
_PASS, _SPENT, _KILLED = 0, 1, 2


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
    """

    winner: SideKey
    end_tick: int
    lost_row: int | None
    capped: bool
    survivors: list[Human] | list[Demon]
    humans_lost: int
    demons_killed: int
    trace: list[dict[str, Any]] | None = field(default=None)


class Battle:
    """State of one battle; build it with the two canonical entry lists and call :meth:`run` once.

    Args:
        humans: Canonical human entries (``name``, ``x``, ``y``, ``spawn_time``), plan order.
        demons: Canonical demon entries (``name``, ``y``, ``spawn_time``), plan order.
        params: Board size and tick cap.
        trace: When given, a list that receives one dict per event (``spawn``, ``summon``, ``hit``,
            ``attack``, ``jump``, ``explode``, ``death``, ``end``; shots are not traced), each with its
            ``tick``. Meant for tests and debugging; costs nothing when ``None``.
        tick_hook: Called as ``hook(tick, battle)`` at the end of every tick (disables fast-forwarding).
        fast_forward: Skip idle ticks in closed form (results are identical either way).
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
    ) -> None:
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

    # ------------------------------------------------------------------ rare events
    def _event(self, tick: int, event: str, **data: Any) -> None:
        assert self.trace is not None  # only called when tracing
        self.trace.append({"tick": tick, "event": event, **data})

    def _place_human(self, entry: Mapping[str, Any], tick: int) -> Human:
        spec = HUMANS[entry["name"]]
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
        if self.trace is not None:
            self._event(tick, "spawn", side="human", uid=h.uid, name=spec.name, x=col, y=row)
        return h

    def _add_demon(self, name: str, row: int, x: int, tick: int) -> Demon:
        d = Demon(self.n_demons_created, DEMONS[name], row, x, tick)
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
        d = self._add_demon(SUMMONED_DEMON, row, ORIGIN_PX + CELL_PX * col, tick)
        if self.trace is not None:
            self._event(tick, "summon", summoner=s.uid, uid=d.uid, y=row, x_px=d.x)

    def _kill_demon(self, d: Demon, tick: int) -> None:
        d.alive = False
        self.demons_killed += 1
        self.demons.remove(d)
        self.row_demons[d.row].remove(d)
        if d.kind == SUMMONING:
            self.summoners.remove(d)
        if self.trace is not None:
            self._event(tick, "death", side="demon", uid=d.uid, name=d.spec.name)

    def _remove_human(self, h: Human) -> None:
        h.alive = False
        self.cells[h.row][h.col + 2] = None
        if h.weapon is not None:
            self.shooters.remove(h)
        elif h.spec.explodes:
            self.fuses.remove(h)

    def _activate(self, d: Demon) -> None:
        if d.kind == MACHINE:
            d.damage = MACHINE_ACTIVE_DAMAGE
            d.speed = MACHINE_ACTIVE_SPEED_PX

    def _bullet_hits(self, d: Demon, weapon: int, tick: int) -> int:
        """Apply a bullet to the first demon it overlaps (matrix of spec §2.6)."""
        kind = d.kind
        if kind == FLYING:
            if weapon != ANTI_AIR:
                return _PASS
            d.hp -= 1
        elif weapon == ANTI_AIR:
            return _PASS
        elif weapon == NORMAL:
            d.hp -= SHIELD_DEMON_FACTOR if kind == SHIELD else 1
            self._activate(d)
        elif weapon == FIRE:
            d.hp -= 0 if kind == FIRE_D else FIRE_VS_FROST_DEMON if kind == FROST else 2
            self._activate(d)
        else:  # ice: direct HP loss (no reduction, no activation), then slow
            if kind == FROST:
                if self.trace is not None:
                    self._event(tick, "hit", uid=d.uid, weapon="ice", hp=d.hp)
                return _SPENT
            if kind == FIRE_D:
                d.hp -= ICE_VS_FIRE_DEMON - 1
                if d.hp > 0:
                    d.hp -= 1
            else:
                d.hp -= 1
            if d.hp > 0:
                d.speed = SLOW_SPEED_PX
                d.slow_end = tick + SLOW_TICKS
        if self.trace is not None:
            self._event(tick, "hit", uid=d.uid, weapon=WEAPON_NAMES[weapon], hp=d.hp)
        if d.hp <= 0:
            self._kill_demon(d, tick)
            return _KILLED
        return _SPENT

    def _explode(self, h: Human, tick: int) -> None:
        """LinearExplosion: damage every demon overlapping the band of rows y-1 .. y, then disappear."""
        self._remove_human(h)
        lo_row = h.row - EXPLOSION_ROWS_ABOVE
        band_right = self.screen_w + ORIGIN_PX
        victims = [
            d
            for d in self.demons
            if lo_row <= d.row <= h.row and d.kind != FLYING and d.x < band_right and d.x + CELL_PX > 0
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
            dmg = SHIELD_BREAKER_DAMAGE if d.kind == BREAKER and h.spec.shield else d.damage
            h.hp -= dmg
            if self.trace is not None:
                self._event(tick, "attack", uid=d.uid, target=h.uid, damage=dmg, hp=h.hp)
            if h.hp <= 0:
                self._remove_human(h)
                self.humans_lost += 1
                if self.trace is not None:
                    self._event(tick, "death", side="human", uid=h.uid, name=h.spec.name)
        d.last_attack = tick
        d.stagger = STAGGER_TICKS

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

    # ------------------------------------------------------------------ the tick loop
    def run(self) -> Outcome:
        """Play the battle to its end (or the tick cap) and return the outcome."""
        cells, row_demons, bullets = self.cells, self.row_demons, self.bullets
        shooters, fuses, demons, summoners = self.shooters, self.fuses, self.demons, self.summoners
        hq, dq = self.hq, self.dq
        nh, nd = len(hq), len(dq)
        rows = range(self.rows)
        screen_w = self.screen_w
        tracing = self.trace is not None
        hook = self.tick_hook
        cap = self.cap
        bullet_hits, attack, explode = self._bullet_hits, self._attack, self._explode
        start = 0
        while start < cap:
            skip_to = -1
            for k in range(start, cap):
                # 1. spawns: humans first, then demons.
                if self.hi < nh and hq[self.hi][0] <= k:
                    self._spawn_humans(k)
                if self.di < nd and dq[self.di][0] <= k:
                    self._spawn_demons(k)
                # 2. summons (creation order; new demons act from step 3 on).
                if summoners:
                    for s in summoners:
                        if k - s.last_summon >= SUMMON_TICKS:
                            self._summon(s, k)
                # 3. bullet hits: each bullet hits the first overlapping demon (creation order) only.
                kk = BULLET_SPEED_PX * k
                lim = screen_w - kk  # a bullet is still on screen iff offset <= lim
                for r in rows:
                    bl = bullets[r]
                    if not bl:
                        continue
                    dl = row_demons[r]
                    if not dl:
                        if bl[0][0] > lim:
                            bullets[r] = [b for b in bl if b[0] <= lim]
                        continue
                    boxes = [(d.x - BULLET_WIDTH_PX, d.x + CELL_PX, d) for d in dl]
                    gone: list[int] = []
                    for i, (off, weapon) in enumerate(bl):
                        if off > lim:
                            gone.append(i)
                            continue
                        p = off + kk
                        for lo, hi, d in boxes:
                            if lo < p < hi and d.alive:
                                if bullet_hits(d, weapon, k):
                                    gone.append(i)
                                break
                    if gone:
                        for i in reversed(gone):
                            del bl[i]
                # 4. humans act: shooters fire, LinearExplosion fuses end.
                for h in shooters:
                    if k - h.last >= h.interval:
                        h.last = k
                        bullets[h.row].append((h.left + CELL_PX - kk, h.weapon))  # type: ignore[arg-type]
                if fuses:
                    for h in list(fuses):
                        if k - h.placed >= h.interval:
                            explode(h, k)
                # 5. demons act (creation order); 7. the first demon at the goal ends the game.
                lost: Demon | None = None
                for d in demons:
                    x = d.x
                    kind = d.kind
                    if kind == BOUNCING and not d.jumped:
                        u = x - ORIGIN_PX
                        cr = cells[d.row]
                        c = u // CELL_PX + 2
                        h1 = cr[c]
                        h2 = cr[c + 1] if u % CELL_PX else None
                        if (h1 or h2) and not (
                            (h1 is not None and h1.spec.enhanced) or (h2 is not None and h2.spec.enhanced)
                        ):
                            d.x = x = x - BOUNCE_PX
                            d.jumped = True
                            if tracing:
                                self._event(k, "jump", uid=d.uid, x_px=x)
                            if x <= GOAL_LEFT_PX and lost is None:
                                lost = d
                            continue
                    if d.slow_end and k >= d.slow_end:
                        d.slow_end = 0
                        d.speed = BASE_SPEED
                    if d.stagger:
                        x += -WOBBLE_PX if d.stagger % 2 == 0 else WOBBLE_PX
                        d.stagger -= 1
                    elif kind == FLYING:
                        x -= d.speed
                    else:
                        u = x - ORIGIN_PX
                        cr = cells[d.row]
                        c = u // CELL_PX + 2
                        h1 = cr[c]
                        h2 = cr[c + 1] if u % CELL_PX else None
                        if h1 or h2:
                            if k - d.last_attack >= MELEE_COOLDOWN_TICKS:
                                attack(d, h1, h2, k)
                        else:
                            x -= d.speed
                    d.x = x
                    if x <= GOAL_LEFT_PX and lost is None:
                        lost = d
                # 6. bullets move: implicit (positions are offset + 100 k).
                if lost is not None:
                    return self._finish("B", k, lost.row, hook)
                # 8. humans win when no demon is alive and none is still to spawn.
                if not demons:
                    if self.di >= nd:
                        return self._finish("A", k, None, hook)
                    nxt = dq[self.di][0]
                    if self.fast_forward and nxt > k + 1:
                        skip_to = min(nxt, cap) - 1
                        self._skip(k + 1, skip_to)
                        break
                if hook is not None:
                    hook(k, self)
            else:
                break
            start = skip_to + 1
        return self._finish("A", cap - 1, None, None, capped=True)

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
            winner, tick, lost_row, capped, survivors, self.humans_lost, self.demons_killed, self.trace
        )


def run_battle(
    humans: Sequence[Mapping[str, Any]],
    demons: Sequence[Mapping[str, Any]],
    params: TowerDefenseParams | None = None,
    *,
    trace: list[dict[str, Any]] | None = None,
    tick_hook: TickHook | None = None,
    fast_forward: bool = True,
) -> Outcome:
    """Play one battle between canonical entry lists (see :class:`Battle` for the arguments)."""
    battle = Battle(
        humans,
        demons,
        params or TowerDefenseParams(),
        trace=trace,
        tick_hook=tick_hook,
        fast_forward=fast_forward,
    )
    return battle.run()
