"""Documented upper bounds of user-set numbers, shared by every place that validates them.

Kept in a module of its own (no imports) so the experiment schema, the match settings, ``play`` and the CI
gate all refuse the same values without importing each other.
"""

from __future__ import annotations

#: The largest ``rounds`` setting accepted. The paper plays 10; a bot match of 100 rounds takes seconds,
#: an LLM match of 100 rounds hundreds of calls per side. ``--rounds 100000`` is refused (exit 2).
MAX_ROUNDS = 100
