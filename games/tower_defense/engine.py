"""The tower defense simulator: canonical fixed-timestep model A (spec §2.7–2.10), exactly.

One call of :func:`run_battle` plays two canonical plans tick by tick with the procedure of spec §2.9:
1. spawns (humans, then demons), 2. summons, 3. bullet hits, 4. humans act, 5. demons act,
6. bullets move, 7. demon-win check, 8. human-win check. Movement is per tick in integer pixels, overlap
tests are discrete (bullets can tunnel through demons, as in the original), demon HP is an IEEE double.
Every number comes from the ruleset's :class:`~games.tower_defense.ruleset.TDRules` (default: v1).

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

The battle state and its rare events live in :mod:`games.tower_defense.engine_state`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from games.tower_defense.catalogue import BULLET_SPEED_PX, BULLET_WIDTH_PX, CELL_PX, GOAL_LEFT_PX, ORIGIN_PX
from games.tower_defense.engine_state import BattleState, Outcome, TickHook
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.ruleset import V1_RULES, TDRules
from games.tower_defense.units import BOUNCING, FLYING, Demon

__all__ = ["Battle", "Outcome", "TickHook", "run_battle"]


class Battle(BattleState):
    """One battle; build it with the two canonical entry lists and call :meth:`run` once.

    The arguments are those of :class:`~games.tower_defense.engine_state.BattleState`.
    """

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
        rules = self.rules
        summon_ticks, bounce_px, base_speed = rules.summon_ticks, rules.bounce_px, rules.base_speed_px
        wobble, cooldown = rules.wobble_px, rules.melee_cooldown_ticks
        one_life, mines = rules.lives == 1, rules.mines
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
                        if k - s.last_summon >= summon_ticks:
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
                            d.x = x = x - bounce_px
                            d.jumped = True
                            if tracing:
                                self._event(k, "jump", uid=d.uid, x_px=x)
                            if x <= GOAL_LEFT_PX and lost is None:
                                lost = d
                            continue
                    if d.slow_end and k >= d.slow_end:
                        d.slow_end = 0
                        d.speed = base_speed
                    if d.stagger:
                        x += -wobble if d.stagger % 2 == 0 else wobble
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
                            if mines:
                                self._touch(h1, h2, k)
                            if k - d.last_attack >= cooldown:
                                attack(d, h1, h2, k)
                        else:
                            x -= d.speed
                    d.x = x
                    if x <= GOAL_LEFT_PX and lost is None:
                        lost = d
                # 6. bullets move: implicit (positions are offset + 100 k).
                if lost is not None:
                    if one_life:
                        return self._finish("B", k, lost.row, hook)
                    lost = self._leaks(k)
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


def run_battle(
    humans: Sequence[Mapping[str, Any]],
    demons: Sequence[Mapping[str, Any]],
    params: TowerDefenseParams | None = None,
    *,
    trace: list[dict[str, Any]] | None = None,
    tick_hook: TickHook | None = None,
    fast_forward: bool = True,
    rules: TDRules = V1_RULES,
) -> Outcome:
    """Play one battle between canonical entry lists (see :class:`Battle` for the arguments)."""
    battle = Battle(
        humans,
        demons,
        params or TowerDefenseParams(),
        trace=trace,
        tick_hook=tick_hook,
        fast_forward=fast_forward,
        rules=rules,
    )
    return battle.run()
