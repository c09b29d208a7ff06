"""Shared plans and helpers for the elemental duel tests (spec §6.3)."""

from games.elemental_duel import ElementalDuel


def team(*chars):
    """Build ``[{"element", "skills"}...]`` from ``("Fire", ["a", "b"])`` pairs."""
    return [{"element": el, "skills": list(skills)} for el, skills in chars]


def defenders(*chars):
    return {"defenders": team(*chars)}


def invaders(*chars):
    return {"invaders": team(*chars)}


C01_D = defenders(
    ("Wood", ["bud_healing", "parasitic_seed", "life_totem"]),
    ("Earth", ["rock_armor", "earth_shock", "granite_barrier"]),
    ("Light", ["holy_glimmer", "faith_emblem", "divine_link"]),
)
C01_I = invaders(
    ("Fire", ["flame_splash", "residual_warmth", "burst_flame_bomb"]),
    ("Dark", ["shadow_claw", "soul_siphon", "night_ambush"]),
    ("Water", ["stream_pierce", "whirlpool_strangle", "ice_branded"]),
)
C02_D = defenders(
    ("Earth", ["earth_pulse", "earth_shock", "rock_armor"]),
    ("Light", ["angelic_sanctuary", "divine_sword", "holy_glimmer"]),
    ("Wood", ["forest_reincarnation", "natural_purification", "parasitic_seed"]),
)
C02_I = invaders(
    ("Dark", ["final_announcement", "soul_siphon", "shadow_claw"]),
    ("Fire", ["hell_curtain", "flame_splash", "magma_eruption"]),
    ("Water", ["stream_pierce", "stream_pierce", "tsunami_ending"]),
)
C03_D = defenders(
    ("Light", ["angelic_sanctuary", "divine_sword", "luminous_dispel"]),
    ("Earth", ["granite_barrier", "earth_pulse", "core_rebound"]),
    ("Wood", ["poison_vine", "life_totem", "earth_shock"]),
)
C03_I = invaders(
    ("Fire", ["flame_whirlwind", "magma_eruption", "burst_flame_bomb"]),
    ("Water", ["abyss_resonance", "water_barrier", "whirlpool_strangle"]),
    ("Dark", ["void_assimilation", "fear_whisper", "night_ambush"]),
)
C04_D_TITLE = defenders(
    ("Wood", ["Life Totem", "Forest Reincarnation", "Poison Vine"]),
    ("Earth", ["Earth Pulse"] * 3),
    ("Light", ["Divine Sword"] * 3),
)
C04_D_SNAKE = defenders(
    ("Wood", ["life_totem", "forest_reincarnation", "poison_vine"]),
    ("Earth", ["earth_pulse"] * 3),
    ("Light", ["divine_sword"] * 3),
)
C04_I = invaders(
    ("Dark", ["final_announcement"] * 3),
    ("Fire", ["hell_curtain"] * 3),
    ("Water", ["tsunami_ending"] * 3),
)


def play(game: ElementalDuel, plan_d, plan_i):
    """Validate both plans (they must be fully valid) and simulate them."""
    vd, vi = game.validate("A", plan_d), game.validate("B", plan_i)
    assert vd.ok, vd.violations_as_dicts()
    assert vi.ok, vi.violations_as_dicts()
    return vd, vi, game.simulate(vd, vi)
