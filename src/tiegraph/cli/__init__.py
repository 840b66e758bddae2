"""The `tiegraph` command: thin wrappers that call services and print their results."""

from __future__ import annotations

from collections.abc import Sequence

from tiegraph.cli import (  # noqa: F401  (each module registers its commands)
    accounts,
    activity,
    admin,
    archive,
    contacts,
    insights,
    intro,
    intro_settings,
    lists,
    nurture,
    pst,
    sso,
    sync,
    web,
)
from tiegraph.cli.common import app, err, opened
from tiegraph.errors import TiegraphError

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; a user's mistake ends in one line on stderr and exit code 2."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="tiegraph")
    except TiegraphError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    finally:
        while opened:
            opened.pop().dispose()
