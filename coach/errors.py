"""Errors a user can cause, carried up to the CLI and the API as clear messages.

Anything raised as ``InputError`` is the user's input being unusable; the CLI
prints its message and exits 2, the API answers 4xx with ``field`` named.
"""

from __future__ import annotations


class InputError(ValueError):
    def __init__(self, message: str, field: str = "text", code: str = "invalid_input") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
