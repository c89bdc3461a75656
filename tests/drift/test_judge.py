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
