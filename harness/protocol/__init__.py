"""The match protocol: settings, one match (:func:`play_match`), its records and transcripts."""

from harness.protocol.adjudicate import adjudicate
from harness.protocol.initial import InitialOutcome, InitialPlanCache, game_fingerprint
from harness.protocol.match import MatchVoided, play_match, simulated_rounds
from harness.protocol.records import (
    DECISION_COLUMNS,
    ROUND_COLUMNS,
    DecisionRecord,
    MatchResult,
    RoundRecord,
)
from harness.protocol.settings import MatchSettings
from harness.protocol.versions import PARSER_VERSION, PROMPT_VERSION

__all__ = [
    "DECISION_COLUMNS",
    "PARSER_VERSION",
    "PROMPT_VERSION",
    "ROUND_COLUMNS",
    "DecisionRecord",
    "InitialOutcome",
    "InitialPlanCache",
    "MatchResult",
    "MatchSettings",
    "MatchVoided",
    "RoundRecord",
    "adjudicate",
    "game_fingerprint",
    "play_match",
    "simulated_rounds",
]
