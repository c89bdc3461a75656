"""`lake` subcommands contributed by the `handler` package."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this package's subcommands to the `lake` parser."""
