"""The error type every user-facing failure derives from.

The ``lake`` command catches :class:`LakeError` and prints its message as one line (or one short paragraph)
with exit code 2 -- never a Python traceback for a user's mistake.
"""


class LakeError(Exception):
    """A failure caused by input or environment that the user can fix; the message says what and where."""

    exit_code = 2
