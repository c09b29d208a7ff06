"""The store's user errors (one line on stderr, exit 2)."""

from __future__ import annotations

from games.core.errors import UserError


class StoreError(UserError):
    """The store file cannot be used (wrong schema version, not a Stratagem store, conflicting rows)."""
