"""Reading plans out of model replies: tolerant in documented ways, never crashing (see :mod:`.plan`)."""

from harness.parsing.plan import ParsedReply, ParseStatus, parse_plan

__all__ = ["ParseStatus", "ParsedReply", "parse_plan"]
