"""Judging drift against the invariants: a stand-in checker with one rule shows the attribution logic."""

from dataclasses import dataclass

from drift.adapters import adapter_for
from drift.decide import findings_for_reading
from drift.judge import judge, state_document
from drift.model import Finding, Kind, ManagedResource, Severity, Unmanaged


@dataclass
class Violation:
    check_id: str
    severity: str
    address: str
    message: str
    fix: str = ""


def versioning_must_be_enabled(doc):
    """RAW-VERSIONING, as a one-rule checker over a tfstate document."""
    out = []
    for resource in doc["resources"]:
        if resource["type"] != "aws_s3_bucket_versioning":
            continue
        for instance in resource["instances"]:
            status = instance["attributes"]["versioning_configuration"][0]["status"]
            if status != "Enabled":
                out.append(
                    Violation(
                        "RAW-VERSIONING", "critical", f"aws_s3_bucket_versioning.{resource['name']}", f"status {status}"
                    )
                )
    return out


def no_star_inline_policy(doc):
    return [
        Violation("IAM-NO-WILDCARD", "high", f"{r['type']}.{r['name']}", "s3:*")
        for r in doc["resources"]
        if r["type"] == "aws_iam_role_policy" and '"s3:*"' in r["instances"][0]["attributes"]["policy"]
    ]


VERSIONING = ManagedResource(
    "aws_s3_bucket_versioning.raw",
    "aws_s3_bucket_versioning",
    {"id": "raw", "bucket": "raw", "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}]},
    name="raw",
)
BUCKET = ManagedResource(
    "aws_s3_bucket.raw", "aws_s3_bucket", {"id": "raw", "bucket": "raw", "tags_all": {}}, name="raw"
)


def _findings(live):
    out = []
    for resource in (VERSIONING, BUCKET):
        out += findings_for_reading(adapter_for(resource.type), resource, live[("", resource.address)])
    return out


def test_drift_that_breaks_an_invariant_is_critical_and_names_it():
    live = {
        ("", VERSIONING.address): {"bucket": "raw", "versioning_configuration": [{"status": "Suspended"}]},
        ("", BUCKET.address): {"bucket": "raw", "tags_all": {"Owner": "someone"}},
    }
    findings = _findings(live)
    judgement = judge(findings, [VERSIONING, BUCKET], live, [], versioning_must_be_enabled)
    by_address = {f.address: f for f in findings}
    assert by_address[VERSIONING.address].severity is Severity.CRITICAL
    assert by_address[VERSIONING.address].invariants == [
        "RAW-VERSIONING aws_s3_bucket_versioning.raw: status Suspended"
    ]
    assert by_address[BUCKET.address].severity is Severity.WARNING  # a tag change breaks nothing
    assert judgement.judged and judgement.broken


def test_an_invariant_the_state_already_breaks_is_not_blamed_on_drift():
    broken_state = ManagedResource(
        VERSIONING.address,
        VERSIONING.type,
        {**VERSIONING.attributes, "versioning_configuration": [{"status": "Suspended"}]},
        name="raw",
    )
    live = {
        ("", broken_state.address): {"bucket": "raw", "versioning_configuration": [{"status": "Suspended"}]},
        ("", BUCKET.address): {"bucket": "raw", "tags_all": {"x": "y"}},
    }
    findings = findings_for_reading(adapter_for(BUCKET.type), BUCKET, live[("", BUCKET.address)])
    judgement = judge(findings, [broken_state, BUCKET], live, [], versioning_must_be_enabled)
    assert [f.severity for f in findings] == [Severity.WARNING]
    assert judgement.baseline == 1 and judgement.broken == []


def test_unmanaged_objects_are_judged_under_their_real_name():
    role = ManagedResource("aws_iam_role.etl", "aws_iam_role", {"id": "etl", "name": "etl"}, name="etl")
    item = Unmanaged(
        "aws_iam_role_policy",
        "etl:quick-fix",
        {"role": "etl", "name": "quick-fix", "policy": '{"Statement": [{"Action": "s3:*"}]}'},
        "added",
        "aws iam delete-role-policy",
        parent=role.address,
    )
    finding = Finding(Kind.UNMANAGED, item.address, item.type, "added", "r", parent=role.address)
    judge([finding], [role], {("", role.address): {"name": "etl"}}, [item], no_star_inline_policy)
    assert finding.severity is Severity.CRITICAL
    assert finding.invariants == ["IAM-NO-WILDCARD aws_iam_role_policy:etl:quick-fix: s3:*"]


def test_without_the_policy_checks_nothing_is_called_critical_and_the_report_says_why():
    live = {
        ("", VERSIONING.address): {"bucket": "raw", "versioning_configuration": [{"status": "Suspended"}]},
        ("", BUCKET.address): {"bucket": "raw", "tags_all": {}},
    }
    findings = _findings(live)

    def broken_checker(doc):
        raise RuntimeError("boom")

    judgement = judge(findings, [VERSIONING, BUCKET], live, [], broken_checker)
    assert not judgement.judged and "boom" in judgement.note
    assert all(f.severity is Severity.WARNING for f in findings)


def test_deleted_resources_leave_the_rebuilt_state():
    doc = state_document([VERSIONING, BUCKET], {("", VERSIONING.address): None})
    assert [r["type"] for r in doc["resources"]] == ["aws_s3_bucket"]
    assert doc["version"] == 4


# ---------------------------------------------------------------- one lake, several states


def crawler_reads_no_lake_bucket(doc):
    """A two-layer rule: the crawler (catalog's state) must not target a bucket the foundation's state declares
    raw; like the real checks, it may give several reasons for one crawler."""
    raw = {
        i["attributes"]["bucket"]
        for r in doc["resources"]
        if r["type"] == "aws_s3_bucket"
        for i in r["instances"]
        if i["attributes"]["bucket"].endswith("-raw")
    }
    out = []
    for r in doc["resources"]:
        if r["type"] != "aws_glue_crawler":
            continue
        address = f"{r['module']}.{r['type']}.{r['name']}"
        for target in r["instances"][0]["attributes"].get("s3_target") or []:
            if target["path"].split("/")[2] in raw:
                out.append(Violation("CRAWLER-SCOPE", "high", address, f"S3 target {target['path']}"))
                out.append(Violation("CRAWLER-SCOPE", "high", address, "in the lake's raw bucket"))
    return out


RAW_BUCKET = ManagedResource(
    'module.foundation.module.s3.aws_s3_bucket.this["raw"]',
    "aws_s3_bucket",
    {"id": "lake-raw", "bucket": "lake-raw"},
    source="foundation.tfstate",
    module="module.foundation.module.s3",
    name="this",
    index_key="raw",
    layer="foundation",
)
CRAWLER = ManagedResource(
    "module.catalog.module.glue.aws_glue_crawler.users",
    "aws_glue_crawler",
    {"id": "users", "name": "users", "s3_target": [{"path": "s3://lake-curated/dataset/users/"}]},
    source="catalog.tfstate",
    module="module.catalog.module.glue",
    name="users",
    layer="catalog",
)


def _crawler_moved_to_raw(resources):
    live = {(CRAWLER.source, CRAWLER.address): {"s3_target": [{"path": "s3://lake-raw/incoming/"}]}}
    finding = Finding(Kind.CHANGED, CRAWLER.address, CRAWLER.type, "s3_target", "r", source=CRAWLER.source)
    judge([finding], resources, live, [], crawler_reads_no_lake_bucket)
    return finding


def test_a_drift_is_judged_with_every_layers_state():
    """The crawler's target moved to raw (catalog) breaks the rule only together with foundation's raw bucket."""
    both = _crawler_moved_to_raw([RAW_BUCKET, CRAWLER])
    assert both.severity is Severity.CRITICAL
    # every reason the check gives on the one (check, address), not only the last
    assert both.invariants == [
        f"CRAWLER-SCOPE {CRAWLER.address}: S3 target s3://lake-raw/incoming/; in the lake's raw bucket"
    ]
    alone = _crawler_moved_to_raw([CRAWLER])  # the catalog state alone cannot see that the bucket is raw
    assert alone.severity is Severity.WARNING and alone.invariants == []


def test_the_rebuilt_state_keeps_every_layers_resources_apart():
    doc = state_document([RAW_BUCKET, CRAWLER])
    assert sorted((r.get("module"), r["type"]) for r in doc["resources"]) == [
        ("module.catalog.module.glue", "aws_glue_crawler"),
        ("module.foundation.module.s3", "aws_s3_bucket"),
    ]
