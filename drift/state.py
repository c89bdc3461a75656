"""Terraform state in: a local file or the S3 backend object, parsed into managed resource instances.

``parse_state`` is pure (a tfstate v4 document in, resources out); ``read_state_document`` is the I/O edge.
Reading from S3 is a plain GetObject: no lock is taken and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from drift.model import ManagedResource
from lake.errors import LakeError


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


def load_states(sources: list[str], s3_client: Callable[[], object] | None = None) -> list[ManagedResource]:
    """All managed resources of several states; an address managed twice is an error naming both states."""
    resources: list[ManagedResource] = []
    seen: dict[tuple[str, str], str] = {}
    for source in sources:
        for resource in parse_state(read_state_document(source, s3_client), source):
            key = (resource.type, resource.id)
            if resource.id and key in seen and seen[key] != source:
                raise StateError(f"{resource.type} {resource.id} is managed by two states: {seen[key]} and {source}")
            seen[key] = source
            resources.append(resource)
    return resources
