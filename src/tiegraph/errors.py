"""Errors a user can cause and fix; interfaces show their message in one line, never a traceback."""

from __future__ import annotations


class TiegraphError(Exception):
    """A mistake the user can fix: the message says what is wrong and what to do."""


class StoreError(TiegraphError):
    """The store cannot be opened, created or upgraded."""


class NotFoundError(TiegraphError):
    """A named thing (organization, member, person, …) does not exist."""


class InvalidInputError(TiegraphError):
    """A value given by the user is malformed."""


class ForbiddenError(TiegraphError):
    """The signed-in member may not do this (e.g. an organization setting needs an admin)."""
