"""Typed exceptions shared by every part of Stratagem.

User errors (bad names, bad parameters, bad files) derive from :class:`UserError`; the CLI turns them into
one clear line and exit code 2. Internal invariants that should never break raise :class:`EngineError`.
"""

from __future__ import annotations


class StratagemError(Exception):
    """Base class of every exception Stratagem raises on purpose."""


class UserError(StratagemError):
    """Bad input from the user: an unknown name, an invalid parameter, an unreadable file."""


class UnknownNameError(UserError, KeyError):
    """A name that is not in a registry; the message lists the known names."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class ParameterError(UserError, ValueError):
    """A game, bot or model parameter that is unknown or has a bad value."""


class EngineError(StratagemError):
    """An internal invariant of a game engine broke (a guard cap was hit); a bug, not a user error."""
