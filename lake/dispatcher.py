"""Local event wiring: S3 notifications delivered to the Lambda handlers in-process, as S3 + Lambda would.

moto stores the raw bucket's notification configuration and each function's configuration but cannot run the
code. The dispatcher reads both back from the endpoint -- the filters Terraform declared, the function's
``handler`` setting and environment -- and invokes the handler with the S3 event AWS would send: URL-encoded key,
version id, at-least-once (``duplicate=True`` delivers every event twice). A handler that raises is retried twice
(Lambda's asynchronous retries) and then its event goes to the function's on-failure destination queue, as an
``aws_lambda_function_event_invoke_config`` would do. A wrong filter in Terraform therefore breaks the local run.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

from contracts import CONTRACTS_DIR_ENV
from lake.errors import LakeError
from lake.local_aws import patched_environ

ASYNC_RETRIES = 2  # Lambda retries an asynchronous invocation twice before the on-failure destination


class DispatchError(LakeError):
    """The local wiring cannot deliver an event (missing function, unresolvable handler)."""


# --------------------------------------------------------------------------- pure: routes and events


@dataclass(frozen=True)
class Route:
    """One ``LambdaFunctionConfigurations`` entry of a bucket notification."""

    function_arn: str
    events: tuple[str, ...]
    prefix: str = ""
    suffix: str = ""
    route_id: str = ""

    @property
    def function_name(self) -> str:
        return self.function_arn.split(":function:", 1)[-1].split(":", 1)[0]

    def matches(self, key: str, event_name: str = "ObjectCreated:Put") -> bool:
        if not any(_event_matches(pattern, event_name) for pattern in self.events):
            return False
        return key.startswith(self.prefix) and key.endswith(self.suffix)


def _event_matches(pattern: str, event_name: str) -> bool:
    pattern = pattern.removeprefix("s3:")
    return pattern == event_name or (pattern.endswith(":*") and event_name.startswith(pattern[:-1]))


def routes_from_notification(config: dict) -> list[Route]:
    """Routes from ``get_bucket_notification_configuration`` (only Lambda targets are dispatched locally)."""
    routes = []
    for entry in config.get("LambdaFunctionConfigurations", []):
        rules = entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        values = {r["Name"].lower(): r["Value"] for r in rules}
        routes.append(
            Route(
                function_arn=entry["LambdaFunctionArn"],
                events=tuple(entry.get("Events", [])),
                prefix=values.get("prefix", ""),
                suffix=values.get("suffix", ""),
                route_id=entry.get("Id", ""),
            )
        )
    return routes


def s3_event(
    bucket: str,
    key: str,
    version_id: str | None,
    size: int,
    etag: str,
    region: str,
    event_time: datetime | None = None,
    event_name: str = "ObjectCreated:Put",
) -> dict:
    """The event S3 sends to Lambda for one object (key URL-encoded as S3 does)."""
    when = (event_time or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    obj = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"'), "sequencer": "0"}
    if version_id and version_id != "null":
        obj["versionId"] = version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": when,
                "eventName": event_name,
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": obj,
                },
            }
        ]
    }


def resolve_handler(setting: str) -> Callable:
    """The callable a Lambda ``handler`` setting (``module.path.function``) names, or a DispatchError."""
    module_name, _, func_name = setting.rpartition(".")
    if not module_name:
        raise DispatchError(f"handler setting {setting!r} is not module.function (Runtime.HandlerNotFound)")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DispatchError(
            f"handler {setting!r}: cannot import {module_name} ({exc}) (Runtime.ImportModuleError)"
        ) from None
    func = getattr(module, func_name, None)
    if not callable(func):
        raise DispatchError(f"handler {setting!r}: {module_name} has no function {func_name} (Runtime.HandlerNotFound)")
    return func


# --------------------------------------------------------------------------- I/O: the dispatcher


@dataclass
class Invocation:
    function: str
    key: str
    version_id: str | None
    ok: bool
    attempts: int
    result: object = None
    error: str | None = None


class _FakeContext:
    def __init__(self, name: str, memory: int, timeout: int) -> None:
        self.function_name = name
        self.memory_limit_in_mb = memory
        self.aws_request_id = "local"
        self.invoked_function_arn = name
        self._timeout_ms = timeout * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


@dataclass
class LocalDispatcher:
    """Delivers new raw objects to the functions the bucket's notification configuration names."""

    aws: object  # lake.local_aws.LocalAWS (anything with .client(), .environment(), .region)
    bucket: str
    duplicate: bool = False
    log: Callable[[str], None] = lambda _msg: None
    seen: set[tuple[str, str]] = field(default_factory=set)
    contracts_dir: Path | None = None  # the checkout's contracts/ the in-process handler reads (None: its own)

    def routes(self) -> list[Route]:
        return routes_from_notification(self.aws.client("s3").get_bucket_notification_configuration(Bucket=self.bucket))

    def function_config(self, name: str) -> dict:
        lam = self.aws.client("lambda")
        try:
            return lam.get_function_configuration(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            raise DispatchError(
                f"notification on {self.bucket} targets function {name}, which does not exist"
            ) from None

    def deliver(self, key: str, version_id: str | None) -> list[Invocation]:
        """Send one object's event to every matching route; unmatched objects are reported, not processed."""
        matched = [r for r in self.routes() if r.matches(key)]
        if not matched:
            self.log(f"no notification matches s3://{self.bucket}/{key}: not processed (check the filters)")
            return []
        head = self.aws.client("s3").head_object(
            Bucket=self.bucket, Key=key, **({"VersionId": version_id} if version_id else {})
        )
        event = s3_event(self.bucket, key, version_id, head["ContentLength"], head["ETag"], self.aws.region)
        out = []
        for route in matched:
            for _ in range(2 if self.duplicate else 1):
                out.append(self.invoke(route.function_name, event, key, version_id))
        return out

    def invoke_once(self, function: str, event: dict, env_override: dict[str, str] | None = None) -> object:
        """Run the function's handler once on ``event`` with its configured environment; exceptions propagate."""
        config = self.function_config(function)
        env = dict(config.get("Environment", {}).get("Variables", {}))
        env.update(env_override or {})
        env.update(self.aws.environment())
        if self.contracts_dir is not None:
            env[CONTRACTS_DIR_ENV] = str(self.contracts_dir)
        func = resolve_handler(config["Handler"])
        ctx = _FakeContext(function, config.get("MemorySize", 128), config.get("Timeout", 3))
        with patched_environ(env):
            return func(json.loads(json.dumps(event)), ctx)

    def invoke(self, function: str, event: dict, key: str = "", version_id: str | None = None) -> Invocation:
        """An asynchronous invocation: retried twice, then the event goes to the on-failure destination."""
        error = None
        for attempt in range(1, ASYNC_RETRIES + 2):
            try:
                result = self.invoke_once(function, event)
                return Invocation(function, key, version_id, True, attempt, result=result)
            except DispatchError:
                raise
            except Exception as exc:  # a Lambda failure of any kind: retried, then sent to the destination
                error = f"{type(exc).__name__}: {exc}"
                self.log(f"{function} failed on {key} (attempt {attempt}): {error}")
        self._send_to_failure_destination(function, event, error)
        return Invocation(function, key, version_id, False, ASYNC_RETRIES + 1, error=error)

    def _send_to_failure_destination(self, function: str, event: dict, error: str | None) -> None:
        lam = self.aws.client("lambda")
        try:
            cfg = lam.get_function_event_invoke_config(FunctionName=function)
        except lam.exceptions.ResourceNotFoundException:
            self.log(f"{function} has no on-failure destination: the event is lost (ETL-FAILURES-KEPT)")
            return
        arn = cfg.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if not arn or ":sqs:" not in arn:
            self.log(f"{function} on-failure destination {arn!r} is not an SQS queue: not emulated")
            return
        sqs = self.aws.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {
                "functionArn": function,
                "condition": "RetriesExhausted",
                "approximateInvokeCount": ASYNC_RETRIES + 1,
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": error},
        }
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))

    def new_versions(self) -> Iterable[tuple[str, str | None]]:
        """Object versions in the bucket not delivered yet, oldest first."""
        s3 = self.aws.client("s3")
        found = []
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket):
            for v in page.get("Versions", []):
                ident = (v["Key"], v.get("VersionId") or "null")
                if ident not in self.seen:
                    found.append((v["LastModified"], v["Key"], v.get("VersionId")))
        for _, key, version in sorted(found, key=lambda t: (t[0], t[1])):
            yield key, version

    def poll_once(self) -> list[Invocation]:
        results = []
        for key, version in self.new_versions():
            self.seen.add((key, version or "null"))
            results.extend(self.deliver(key, version))
        return results
