"""The live side: one boto3 session, clients with adaptive retries, an API call counter, shared bulk lookups.

Adapters ask :class:`LiveAWS` for clients and for cached bulk reads (one ``GetAccountAuthorizationDetails`` serves
every role, inline policy and attachment; one ``GetTables`` serves every table of a database), which is how the
scan stays under two API calls per resource. Errors are classified here, once: missing, denied, throttled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MISSING_CODES = frozenset(
    {
        "NoSuchEntity",
        "NoSuchBucket",
        "NoSuchKey",
        "NotFound",
        "404",
        "ResourceNotFoundException",
        "EntityNotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "NotFoundException",
        "InvalidRequestException",  # athena: workgroup not found
    }
)
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"})
THROTTLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)


PARTITIONS_PAGE = 1000  # GetPartitions' largest page (MaxResults)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_missing(exc: Exception, *extra: str) -> bool:
    return isinstance(exc, ClientError) and (error_code(exc) in MISSING_CODES or error_code(exc) in extra)


@dataclass
class CallCounter:
    """Counts API requests sent (retries included) through a botocore event hook."""

    calls: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, name: str) -> None:
        with self._lock:
            self.calls += 1
            self.by_operation[name] = self.by_operation.get(name, 0) + 1


@dataclass
class AWSOptions:
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 10
    workers: int = 16


def make_session(options: AWSOptions) -> boto3.session.Session:
    session = boto3.session.Session(profile_name=options.profile, region_name=options.region)
    if options.role_arn:
        sts = session.client("sts", endpoint_url=options.endpoint_url)
        creds = sts.assume_role(RoleArn=options.role_arn, RoleSessionName="lake-drift")["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=options.region or session.region_name,
        )
    return session


class LiveAWS:
    """Thread-safe clients and memoised bulk lookups for one scan."""

    def __init__(self, options: AWSOptions, session: boto3.session.Session | None = None) -> None:
        self.options = options
        self.session = session or make_session(options)
        self.counter = CallCounter()
        self.session.events.register("before-send", self._count)
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": options.max_attempts},
            max_pool_connections=max(10, options.workers),
        )
        self._clients: dict[str, object] = {}
        self._cache: dict[object, object] = {}
        self._locks: dict[object, threading.Lock] = {}
        self._lock = threading.Lock()

    def _count(self, request=None, event_name: str = "", **_: object) -> None:
        # event_name is "before-send.<service>.<Operation>"
        self.counter.record(event_name.split(".", 2)[-1] if event_name.count(".") >= 2 else "?")

    @property
    def region(self) -> str:
        return self.options.region or self.session.region_name or "us-east-1"

    def client(self, service: str):
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service, endpoint_url=self.options.endpoint_url, region_name=self.region, config=self._config
                )
            return self._clients[service]

    def cached(self, key: object, load: Callable[[], object]) -> object:
        """``load()`` once per key for the whole scan, even when many threads ask at the same time."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = load()
            with self._lock:
                self._cache[key] = value
            return value

    # ------------------------------------------------------------------ shared bulk reads

    def iam_roles(self) -> dict[str, dict]:
        """Every role by name, with ``RolePolicyList`` and ``AttachedManagedPolicies`` (one paginated call)."""

        def load() -> dict[str, dict]:
            out: dict[str, dict] = {}
            pages = self.client("iam").get_paginator("get_account_authorization_details")
            for page in pages.paginate(Filter=["Role"]):
                for role in page.get("RoleDetailList", []):
                    out[role["RoleName"]] = role
            return out

        return self.cached("iam_roles", load)

    def iam_policies(self) -> dict[str, dict]:
        """Customer managed policies by ARN with their default version document."""

        def load() -> dict[str, dict]:
            out: dict[str, dict] = {}
            pages = self.client("iam").get_paginator("get_account_authorization_details")
            for page in pages.paginate(Filter=["LocalManagedPolicy"]):
                for policy in page.get("Policies", []):
                    out[policy["Arn"]] = policy
            return out

        return self.cached("iam_policies", load)

    def glue_tables(self, database: str) -> dict[str, dict] | None:
        """Every table of a database by name; None when the database is gone."""

        def load() -> dict[str, dict] | None:
            out: dict[str, dict] = {}
            try:
                for page in self.client("glue").get_paginator("get_tables").paginate(DatabaseName=database):
                    for table in page.get("TableList", []):
                        out[table["Name"]] = table
            except ClientError as exc:
                if is_missing(exc):
                    return None
                raise
            return out

        return self.cached(("glue_tables", database), load)

    def glue_partitions(self, database: str, table: str) -> list[dict]:
        """Every partition of a table, values and location only (pages of 1,000: never a call per partition).

        Read once per scan: the unmanaged-partition search and the catalog health check share it.
        """

        def load() -> list[dict]:
            out: list[dict] = []
            pages = self.client("glue").get_paginator("get_partitions")
            for page in pages.paginate(
                DatabaseName=database,
                TableName=table,
                ExcludeColumnSchema=True,
                PaginationConfig={"PageSize": PARTITIONS_PAGE},
            ):
                out.extend(page.get("Partitions", []))
            return out

        return self.cached(("glue_partitions", database, table), load)

    def glue_crawlers(self) -> dict[str, dict]:
        def load() -> dict[str, dict]:
            out: dict[str, dict] = {}
            for page in self.client("glue").get_paginator("get_crawlers").paginate():
                for crawler in page.get("Crawlers", []):
                    out[crawler["Name"]] = crawler
            return out

        return self.cached("glue_crawlers", load)

    def log_groups(self, prefix: str) -> dict[str, dict]:
        """Log groups under a name prefix (the scan asks once per distinct leading path segment)."""

        def load() -> dict[str, dict]:
            out: dict[str, dict] = {}
            pages = self.client("logs").get_paginator("describe_log_groups")
            for page in pages.paginate(logGroupNamePrefix=prefix):
                for group in page.get("logGroups", []):
                    out[group["logGroupName"]] = group
            return out

        return self.cached(("log_groups", prefix), load)

    def buckets(self) -> dict[str, dict]:
        def load() -> dict[str, dict]:
            return {b["Name"]: b for b in self.client("s3").list_buckets().get("Buckets", [])}

        return self.cached("buckets", load)

    def lambda_functions(self) -> dict[str, dict]:
        def load() -> dict[str, dict]:
            out: dict[str, dict] = {}
            for page in self.client("lambda").get_paginator("list_functions").paginate():
                for fn in page.get("Functions", []):
                    out[fn["FunctionName"]] = fn
            return out

        return self.cached("lambda_functions", load)
