"""Typed user errors raised by the metrics package (the CLI turns them into exit code 2)."""

from __future__ import annotations

from games.core.errors import ParameterError, UserError

__all__ = ["MixedFingerprintError", "ParameterError", "StoreError"]


class StoreError(UserError):
    """The results store is missing, unreadable, of another schema version, or lacks a documented column."""


class MixedFingerprintError(UserError):
    """Matches with different measurement fingerprints would be pooled in one (model, game) cell."""
