"""Where the gate reads a layer's current state: ``lake policy check --state [<layer>=]PATH|s3://bucket/key``.

A plan of one layer is judged against the current state of the others, read from their backends. ``parse_state_spec``
is pure; ``read_state`` is the I/O edge (the drift checker's reader: a file, or a plain S3 GetObject, no lock). A
state that cannot be read is a :class:`~policies.errors.PolicyInputError` naming it (exit 2), never a pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lake.layers import LAYERS
from policies.errors import PolicyInputError

_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)=(.*)$", re.S)


@dataclass(frozen=True)
class StateSpec:
    source: str  # a path or s3://bucket/key
    layer: str | None = None  # the layer it is given as (`<layer>=`), None when unlabelled


def parse_state_spec(spec: str) -> StateSpec:
    """``[<layer>=]PATH`` or ``[<layer>=]s3://bucket/key``; a label that is not a layer is an error naming it."""
    match = _LABEL.match(spec)
    if match is None:
        if not spec:
            raise PolicyInputError("--state '': expected [<layer>=]PATH or [<layer>=]s3://bucket/key")
        return StateSpec(spec)
    label, source = match.groups()
    if label not in LAYERS:
        raise PolicyInputError(f"--state {spec}: unknown layer {label!r} (the layers are {', '.join(LAYERS)})")
    if not source:
        raise PolicyInputError(f"--state {spec}: no path or s3:// URL after {label}=")
    return StateSpec(source, label)


def read_state(spec: StateSpec, s3_client: Callable[[], object] | None = None) -> dict:
    """The state document ``spec`` names (``s3_client``: a factory of a boto3 S3 client, for s3:// sources)."""
    from drift.state import StateError, read_state_document

    try:
        return read_state_document(spec.source, s3_client)
    except StateError as exc:
        what = f" ({spec.layer} layer)" if spec.layer else ""
        raise PolicyInputError(f"{exc}{what}; a layer's state that cannot be read is never a pass") from None
