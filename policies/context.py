"""What the checks read besides the raw model: the lake's buckets and roles by kind, the access matrix, contracts.

Buckets and roles are recognised by the names ``docs/interfaces.md`` fixes (``<prefix>-raw``, ``<prefix>-etl`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import contracts as contracts_pkg
from lake.layers import layer_of
from policies.iam.matrix import AccessMatrix, RoleAccess, build_matrix
from policies.model import Model, Resource, Unknown

BUCKET_KINDS = ("raw", "curated", "quarantine", "athena-results", "artifacts")
ROLE_KINDS = ("etl", "crawler", "analyst", "drift-reader", "batch-operations")
SERVICE_OF_ROLE = {
    "etl": "lambda.amazonaws.com",
    "crawler": "glue.amazonaws.com",
    "batch-operations": "batchoperations.s3.amazonaws.com",
}
DEFAULT_BYTES_CEILING = 107374182400  # 100 GiB, infra's bytes_scanned_cutoff_ceiling default
PLACEHOLDER_KEY_ID = "00000000-0000-0000-0000-000000000000"


@dataclass
class Options:
    bytes_ceiling: int = DEFAULT_BYTES_CEILING
    uploader_principals: tuple[str, ...] | None = None  # None: the principals the raw bucket policy names
    # The checkout's paths; policies.api fills them from the workspace (lake.workspace) when not given.
    contracts_dir: Path | None = None
    artifact: Path | None = None  # dist/handler.zip
    handler_source: Path | None = None  # the directory holding the handler/ source tree
    supported_runtimes: tuple[str, ...] = ("python3.12",)


@dataclass
class Context:
    model: Model
    options: Options = field(default_factory=Options)
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def matrix(self) -> AccessMatrix:
        return build_matrix(self.model)

    # ------------------------------------------------------------------ layers

    def layer_of(self, address: str) -> str:
        """The layer a finding's address belongs to: the layer of the resource at ``address``, else the one its
        address names (``module.<layer>.…``, e.g. an inline policy statement), else, for an AWS managed policy ARN
        (the source of its grants), the layer of the resources that attach it; "" when none or several."""
        resource = self.model.by_address(address)
        if resource is not None and resource.layer:
            return resource.layer
        named = layer_of(address)
        if named:
            return named
        if address.startswith("arn:"):
            layers = {r.layer for r in self._attachments() if _attaches(r, address)}
            return layers.pop() if len(layers) == 1 else ""
        return ""

    def _attachments(self) -> list[Resource]:
        return list(self.model.of_type("aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role"))

    # ------------------------------------------------------------------ buckets

    @cached_property
    def buckets(self) -> dict[str, Resource]:
        """kind -> aws_s3_bucket resource (raw, curated, quarantine, athena-results, artifacts)."""
        out: dict[str, Resource] = {}
        for b in self.model.of_type("aws_s3_bucket"):
            name = b.get("bucket")
            if not isinstance(name, str):
                continue
            for kind in BUCKET_KINDS:
                if name.endswith(f"-{kind}"):
                    out.setdefault(kind, b)
        return out

    def bucket_name(self, kind: str) -> str | None:
        b = self.buckets.get(kind)
        return b.get("bucket") if b else None

    def bucket_kind(self, name: Any) -> str | None:
        for kind, b in self.buckets.items():
            if b.get("bucket") == name:
                return kind
        return None

    def resolve_bucket(self, value: Any) -> str | Unknown | None:
        """A bucket argument (name, ARN, or a reference to a bucket) -> the bucket name."""
        if isinstance(value, Unknown):
            found = self.model.referenced(value, "aws_s3_bucket")
            if len(found) == 1:
                return found[0].get("bucket")
            return value
        if isinstance(value, str) and value.startswith("arn:aws:s3:::"):
            return value[len("arn:aws:s3:::") :]
        return value

    def undecided_bucket_resources(self, rtype: str) -> list[tuple[Resource, Unknown]]:
        """Resources of ``rtype`` whose bucket cannot be decided (a check that needs them fails closed)."""
        out = []
        for r in self.model.of_type(rtype):
            bucket = self.resolve_bucket(r.get("bucket"))
            if isinstance(bucket, Unknown):
                out.append((r, bucket))
        return out

    def bucket_resources(self, rtype: str, kind: str) -> list[Resource]:
        """Resources of ``rtype`` whose ``bucket`` is the bucket of ``kind``."""
        name = self.bucket_name(kind)
        return [
            r for r in self.model.of_type(rtype) if name is not None and self.resolve_bucket(r.get("bucket")) == name
        ]

    # ------------------------------------------------------------------ roles

    @cached_property
    def roles(self) -> dict[str, RoleAccess]:
        """kind -> RoleAccess (etl, crawler, analyst, drift-reader)."""
        out: dict[str, RoleAccess] = {}
        for name, access in self.matrix.roles.items():
            for kind in ROLE_KINDS:
                if name.endswith(f"-{kind}"):
                    out.setdefault(kind, access)
        return out

    def role_of(self, value: Any) -> RoleAccess | Unknown | None:
        """The role a ``role`` argument (ARN, name or reference) names."""
        if isinstance(value, Unknown):
            found = self.model.referenced(value, "aws_iam_role")
            if len(found) == 1:
                return self.matrix.roles.get(found[0].get("name"))
            return value
        if isinstance(value, str):
            role = self.matrix.roles.get(value.rsplit("/", 1)[-1])
            if role is not None and value.startswith("arn:") and not self._same_account(value, role):
                return None  # a role of that name in another account: not the lake's
            return role
        return None

    def _same_account(self, arn: str, role: RoleAccess) -> bool:
        """Whether a role ARN (a layer names the roles of the layer below by ARN, built from its name and the
        caller's account) is in the account of the lake's role of that name: the role's own ARN when known (a
        state), else the account the lake is planned in."""
        own = role.role.get("arn")
        account = own.split(":")[4] if isinstance(own, str) and own.count(":") >= 5 else self.account
        parts = arn.split(":")
        return len(parts) >= 6 and parts[4] == account

    # ------------------------------------------------------------------ account, region, ARNs

    @cached_property
    def account(self) -> str:
        for r in self.model.of_type("aws_caller_identity", mode="data"):
            if isinstance(r.get("account_id"), str):
                return r.get("account_id")
        return "000000000000"

    @cached_property
    def region(self) -> str:
        for r in self.model.of_type("aws_region", mode="data"):
            for key in ("name", "region"):
                if isinstance(r.get(key), str):
                    return r.get(key)
        return "us-east-1"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    @cached_property
    def kms_key_arns(self) -> list[str]:
        out = []
        for k in self.model.of_type("aws_kms_key"):
            arn = k.get("arn")
            out.append(arn if isinstance(arn, str) else self.arn("kms", f"key/{PLACEHOLDER_KEY_ID}"))
        return out

    # ------------------------------------------------------------------ functions, crawlers, contracts

    @cached_property
    def functions(self) -> list[Resource]:
        return list(self.model.of_type("aws_lambda_function"))

    def env(self, fn: Resource) -> dict[str, Any] | Unknown:
        envs = fn.block("environment")
        if not envs:
            return {}
        first = envs[0]
        if "__unknown__" in first:
            return first["__unknown__"]
        variables = first.get("variables")
        if isinstance(variables, Unknown):
            return variables
        return dict(variables or {})

    @cached_property
    def contracts(self) -> dict[tuple[str, int], Any]:
        return {(c.dataset, c.version): c for c in contracts_pkg.discover(Path(self.options.contracts_dir))}

    @cached_property
    def database_names(self) -> list[str]:
        return [
            d.get("name") for d in self.model.of_type("aws_glue_catalog_database") if isinstance(d.get("name"), str)
        ]


def s3_url_parts(url: Any) -> tuple[str, str] | None:
    """("bucket", "key/prefix/") of an ``s3://bucket/key`` URL."""
    if not isinstance(url, str) or not url.startswith("s3://"):
        return None
    rest = url[5:]
    bucket, _, key = rest.partition("/")
    return bucket, key


def _attaches(resource: Resource, arn: str) -> bool:
    """True when ``resource`` (a policy attachment or a role) attaches the managed policy ``arn``."""
    if resource.type == "aws_iam_role":
        arns = resource.get("managed_policy_arns")
        return isinstance(arns, list) and arn in arns
    return resource.get("policy_arn") == arn
