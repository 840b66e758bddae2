"""Errors a user can cause and fix; interfaces show their message in one line, never a traceback."""

from __future__ import annotations


class TiegraphError(Exception):
    """A mistake the user can fix: the message says what is wrong and what to do."""


class StoreError(TiegraphError):
    """The store cannot be opened, created or upgraded."""


class StoreBusyError(StoreError):
    """Another write (e.g. an import) held the store's write lock for longer than the store
    waits: nothing was changed, and the same request may simply be tried again."""


class StoreUnavailableError(StoreBusyError):
    """The database could not be reached, or answered as a standby, for longer than the store
    waits (a failover that did not end in time). `written` is False when nothing was changed
    (the transaction had not reached its commit): the whole unit of work may be run again."""

    def __init__(self, message: str, *, written: bool | None = False) -> None:
        super().__init__(message)
        self.written = written  # None: lost during the commit, unknown


class NotFoundError(TiegraphError):
    """A named thing (organization, member, person, …) does not exist."""


class InvalidInputError(TiegraphError):
    """A value given by the user is malformed."""


class ForbiddenError(TiegraphError):
    """The viewer may not see or change this (sharing rules); the message names nothing it
    protects."""


class DeliveryError(TiegraphError):
    """A mail server could not be reached, refused the login, or refused the message."""
