"""`lake` subcommands contributed by the `policies` package."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add this package's subcommands to the `lake` parser."""
