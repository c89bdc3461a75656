"""Errors of the policy gate."""

from lake.errors import LakeError


class PolicyInputError(LakeError):
    """The input (HCL, plan JSON, state, suppressions) is unusable; exit code 2."""

    exit_code = 2
