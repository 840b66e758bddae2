"""The one error every connector raises when its peer fails: down, slow, refusing or garbled."""

from __future__ import annotations


class ConnectorError(Exception):
    """A server could not be reached, refused us, or answered what we cannot read.

    The message is one line fit for a user and a log: it never holds a password.
    """
