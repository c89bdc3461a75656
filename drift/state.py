"""Terraform state in: local files or S3 backend objects, one per layer of the lake, parsed into managed resource
instances.

The lake is four Terraform roots with a state each (:mod:`lake.layers`); one drift run reads them all. A state
source is ``PATH``, ``s3://bucket/key`` or ``<layer>=<path|s3://...>``; without the ``<layer>=`` its layer is the
one its addresses name (``module.<layer>.…``), and a state of an unsplit root has the layer ``""``.

``parse_state``, ``parse_source``, ``prefix_sources``, ``layer_of_state`` and ``combine`` are pure;
``read_state_document`` is the I/O edge. Reading from S3 is a plain GetObject: no lock is taken and nothing is
written. A state that cannot be read fails the whole run: a report without one layer would look clean.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from drift.model import ManagedResource
from lake.errors import LakeError
from lake.layers import LAYERS, SINGLE, LayerError, layer_of, state_layer


class StateError(LakeError):
    """A state file cannot be read or is not a Terraform state."""


def instance_address(resource: dict, index_key: object = None) -> str:
    """The address Terraform prints for a resource instance (``module.m.aws_x.name["key"]``)."""
    parts = [resource["module"]] if resource.get("module") else []
    prefix = "data." if resource.get("mode") == "data" else ""
    parts.append(f"{prefix}{resource['type']}.{resource['name']}")
    address = ".".join(parts)
    if index_key is None:
        return address
    if isinstance(index_key, str):
        return f"{address}[{json.dumps(index_key)}]"
    return f"{address}[{index_key}]"


def parse_state(doc: object, source: str) -> list[ManagedResource]:
    """Every managed resource instance in a tfstate v4 document."""
    if not isinstance(doc, dict) or "resources" not in doc:
        raise StateError(f"{source}: not a Terraform state (no 'resources' key)")
    if doc.get("version") != 4:
        raise StateError(f"{source}: state format version {doc.get('version')!r} is not supported (need 4)")
    out = []
    for resource in doc.get("resources") or []:
        if resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances") or []:
            attributes = instance.get("attributes")
            if attributes is None:
                raise StateError(f"{source}: {instance_address(resource, instance.get('index_key'))} has no attributes")
            out.append(
                ManagedResource(
                    address=instance_address(resource, instance.get("index_key")),
                    type=resource["type"],
                    attributes=attributes,
                    source=source,
                    module=resource.get("module"),
                    name=resource.get("name", ""),
                    index_key=instance.get("index_key"),
                )
            )
    return out


def parse_s3_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    bucket, key = parsed.netloc, parsed.path.lstrip("/")
    if parsed.scheme != "s3" or not bucket or not key:
        raise StateError(f"{url}: an S3 state location looks like s3://bucket/path/to/terraform.tfstate")
    return bucket, key


def read_state_document(source: str, s3_client: Callable[[], object] | None = None) -> dict:
    """Load one state document from a path or an ``s3://bucket/key`` URL (read-only, no lock)."""
    if source.startswith("s3://"):
        bucket, key = parse_s3_url(source)
        if s3_client is None:
            raise StateError(f"{source}: no AWS session to read it with")
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise StateError(f"{source}: cannot read the state object ({code or exc})") from None
        except BotoCoreError as exc:
            raise StateError(f"{source}: cannot read the state object ({exc})") from None
        text = body.decode("utf-8", errors="replace")
    else:
        path = Path(source)
        if not path.is_file():
            raise StateError(f"{source}: no such state file")
        text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None


@dataclass(frozen=True)
class StateSource:
    """Where one state is (a path or an ``s3://`` URL) and, when given as ``<layer>=…``, its layer."""

    location: str
    layer: str | None = None  # None: inferred from the state's addresses


@dataclass(frozen=True)
class LoadedState:
    location: str
    layer: str
    resources: tuple[ManagedResource, ...]


@dataclass(frozen=True)
class Conflict:
    """One object managed by two states: ``kept`` is checked, ``other`` (the later state's copy) is not."""

    kept: ManagedResource
    other: ManagedResource

    @property
    def same_address(self) -> bool:
        return self.kept.address == self.other.address


@dataclass
class States:
    """Every given state as one lake: the resources (each once), the states by layer, what two states manage."""

    states: list[LoadedState]
    resources: list[ManagedResource]
    conflicts: list[Conflict]

    @property
    def locations(self) -> list[str]:
        return [s.location for s in self.states]

    @property
    def layers(self) -> dict[str, str]:
        """location -> layer"""
        return {s.location: s.layer for s in self.states}


LAYER_NAME = re.compile(r"[a-z][a-z0-9_-]*")


def parse_source(text: str | StateSource) -> StateSource:
    """``PATH``, ``s3://bucket/key`` or ``<layer>=<path|s3://…>`` (the layer one of :data:`lake.layers.LAYERS`)."""
    if isinstance(text, StateSource):
        return text
    name, sep, location = text.partition("=")
    if not sep or not LAYER_NAME.fullmatch(name):
        return StateSource(text)
    if name not in LAYERS:
        raise StateError(f"{text}: unknown layer {name!r} (the layers are {', '.join(LAYERS)})")
    if not location:
        raise StateError(f"{text}: no state after '{name}=' (a path or s3://bucket/key)")
    return StateSource(location, name)


def prefix_sources(prefix: str) -> list[StateSource]:
    """The four layers' states under one backend prefix: ``<prefix><layer>.tfstate`` (``s3://b/lake/`` or ``dir/``)."""
    if prefix.startswith("s3://") and not urlparse(prefix).netloc:
        raise StateError(f"{prefix}: a state prefix looks like s3://bucket/path/")
    return [StateSource(f"{prefix}{layer}.tfstate", layer) for layer in LAYERS]


def layer_of_state(resources: Iterable[ManagedResource], source: StateSource) -> str:
    """The state's layer (:func:`lake.layers.state_layer`): the one given, else the one its addresses name (""
    for an unsplit or mixed state). A state given as one layer that holds another layer's resources is an error
    (arguments swapped)."""
    try:
        return state_layer((resource.address for resource in resources), source.layer)
    except LayerError as wrong:
        raise StateError(f"{source.location}: {wrong}") from None


def combine(states: list[LoadedState]) -> States:
    """The states as one lake. Each resource is kept once: a second state managing the same address, or the same
    object (type and id) under another address, is a :class:`Conflict` (a half-done migration), never merged."""
    by_layer: dict[str, str] = {}
    locations = [state.location for state in states]
    twice = sorted({location for location in locations if locations.count(location) > 1})
    if twice:
        raise StateError(f"{twice[0]}: state given twice")
    for state in states:
        if state.layer != SINGLE and state.layer in by_layer:
            raise StateError(f"layer {state.layer} given twice: {by_layer[state.layer]} and {state.location}")
        by_layer[state.layer] = state.location
    resources: list[ManagedResource] = []
    conflicts: list[Conflict] = []
    by_address: dict[str, ManagedResource] = {}
    by_object: dict[tuple[str, str], ManagedResource] = {}
    for state in states:
        for resource in state.resources:
            kept = by_address.get(resource.address) or (resource.id and by_object.get((resource.type, resource.id)))
            if kept and kept.source != resource.source:
                conflicts.append(Conflict(kept, resource))
                continue
            by_address[resource.address] = resource
            if resource.id:
                by_object.setdefault((resource.type, resource.id), resource)
            resources.append(resource)
    return States(list(states), resources, conflicts)


def load_state(source: StateSource, s3_client: Callable[[], object] | None = None) -> LoadedState:
    resources = parse_state(read_state_document(source.location, s3_client), source.location)
    layer = layer_of_state(resources, source)
    tagged = tuple(dataclasses.replace(r, layer=layer_of(r.address) or layer) for r in resources)
    return LoadedState(source.location, layer, tagged)


def load_states(sources: list[str | StateSource], s3_client: Callable[[], object] | None = None) -> States:
    """Every given state (``PATH``, ``s3://…`` or ``<layer>=…``) as one lake; any unreadable state is an error."""
    if not sources:
        raise StateError("no state given (a path, s3://bucket/key, <layer>=<state> or --state-prefix)")
    return combine([load_state(parse_source(source), s3_client) for source in sources])
