"""Errors meant for people: each names what is wrong and where."""
from __future__ import annotations


class MentorkitError(Exception):
    """A problem with input or configuration, with a message fit to show a user.

    The CLI prints the message on one line and exits with :attr:`exit_code`
    instead of showing a traceback.
    """

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
