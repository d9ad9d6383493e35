"""What a staff action can fail with."""

from __future__ import annotations


class ReviewError(ValueError):
    """A staff action that cannot be carried out; the message says why (shown in the UI)."""


class NotFoundError(LookupError):
    """No interaction with this id."""
