"""Errors a user can cause, carried up to the CLI and the API as clear messages.

``InputError`` lives in the shared kernel (``coach.models``) so every layer can
raise it; this module keeps the name where the coach's own code looks for it.
"""

from __future__ import annotations

from coach.models import InputError

__all__ = ["InputError"]
