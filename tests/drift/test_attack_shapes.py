"""Adapters over recorded API response shapes (botocore's Stubber, no endpoint): the catalogue entries the local
endpoint cannot make, and the discovery details a scenario cannot pin down (paging, owner-only ACLs)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from drift.adapters import adapter_for
from drift.adapters.aws_glue_job import in_scope
from drift.adapters.aws_glue_partition import inside, strays
from drift.adapters.base import Scope
from drift.attacks import by_id, matches
from drift.aws import AWSOptions, LiveAWS
from drift.decide import finding_for_unmanaged
from drift.judge import judge
from drift.model import ManagedResource, Severity

RAW = "lake-prod-raw"
OWNER = "a" * 64
BUCKET = ManagedResource(
    address='module.foundation.module.s3.aws_s3_bucket.this["raw"]',
    type="aws_s3_bucket",
    attributes={"id": RAW, "bucket": RAW},
    module="module.foundation.module.s3",
    name="this",
    index_key="raw",
)
TABLE = ManagedResource(
    address='module.catalog.module.glue.aws_glue_catalog_table.this["users_v1"]',
    type="aws_glue_catalog_table",
    attributes={
        "database_name": "lake_prod",
        "name": "users_v1",
        "storage_descriptor": [{"location": "s3://lake-prod-curated/dataset/users/schema=1/"}],
    },
)

# entry id -> (adapter type, service, [(operation, response)], managed parent): what AWS returns for the change
RECORDED = {
    "raw-object-lock": (
        "aws_s3_bucket_object_lock_configuration",
        "s3",
        [
            (
                "get_object_lock_configuration",
                {
                    "ObjectLockConfiguration": {
                        "ObjectLockEnabled": "Enabled",
                        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}},
                    }
                },
            )
        ],
        BUCKET,
    ),
    "raw-logging": (
        "aws_s3_bucket_logging",
        "s3",
        [("get_bucket_logging", {"LoggingEnabled": {"TargetBucket": "someone-elses-logs", "TargetPrefix": "raw/"}})],
        BUCKET,
    ),
}


def live_aws() -> LiveAWS:
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    return LiveAWS(AWSOptions(region="us-east-1"), session=session)


def stubbed(aws: LiveAWS, service: str, responses: list[tuple[str, dict]]) -> Stubber:
    stub = Stubber(aws.client(service))
    for operation, response in responses:
        stub.add_response(operation, response)
    stub.activate()
    return stub


@pytest.mark.parametrize("attack_id", sorted(RECORDED))
def test_recorded_change_is_found_and_judged_as_catalogued(attack_id):
    attack = by_id()[attack_id]
    resource_type, service, responses, parent = RECORDED[attack_id]
    aws = live_aws()
    aws.cached("buckets", lambda: {RAW: {"Name": RAW}})  # ListBuckets, shared by every bucket sub-resource
    stub = stubbed(aws, service, responses)
    found = list(adapter_for(resource_type).unmanaged(aws, Scope([parent], "lake-prod")))
    stub.assert_no_pending_responses()
    assert [u.address for u in found] == [found[0].address] and matches(attack.address, found[0].address)
    assert found[0].parent == parent.address
    findings = [finding_for_unmanaged(u, u.id) for u in found]
    judgement = judge(findings, [parent], {}, found)
    assert judgement.judged, judgement.note
    assert findings[0].kind == attack.kind
    assert (findings[0].severity is Severity.CRITICAL) == attack.critical, findings[0].invariants


def test_owner_only_acl_is_not_a_finding():
    aws = live_aws()
    aws.cached("buckets", lambda: {RAW: {"Name": RAW}})
    owner_only = {
        "Owner": {"ID": OWNER},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": OWNER}, "Permission": "FULL_CONTROL"}],
    }
    stub = stubbed(aws, "s3", [("get_bucket_acl", owner_only)])
    assert list(adapter_for("aws_s3_bucket_acl").unmanaged(aws, Scope([BUCKET], "lake-prod"))) == []
    stub.assert_no_pending_responses()


def test_partitions_are_read_in_pages_and_only_strays_reported():
    aws = live_aws()
    aws.cached(("glue_tables", "lake_prod"), lambda: {"users_v1": {"Name": "users_v1"}})
    inside_table = {
        "Values": ["2024-05-01"],
        "StorageDescriptor": {"Location": "s3://lake-prod-curated/dataset/users/schema=1/dt=2024-05-01/"},
    }
    in_raw = {"Values": ["2024-05-02"], "StorageDescriptor": {"Location": "s3://lake-prod-raw/incoming/users/"}}
    stub = stubbed(
        aws,
        "glue",
        [
            ("get_partitions", {"Partitions": [inside_table] * 3, "NextToken": "page-2"}),
            ("get_partitions", {"Partitions": [inside_table, in_raw]}),
        ],
    )
    found = list(adapter_for("aws_glue_partition").unmanaged(aws, Scope([TABLE], "lake-prod")))
    stub.assert_no_pending_responses()  # two pages, two calls: never one call per partition
    assert [u.address for u in found] == ["aws_glue_partition:lake_prod:users_v1:2024-05-02"]
    assert found[0].attributes["storage_descriptor"][0]["location"] == "s3://lake-prod-raw/incoming/users/"


def test_partition_location_helpers():
    assert inside("s3://b/dataset/users/schema=1/dt=1/", "s3://b/dataset/users/schema=1/")
    assert inside("s3://b/dataset/users/schema=1", "s3://b/dataset/users/schema=1/")
    assert not inside("s3://b/dataset/users/schema=10/dt=1/", "s3://b/dataset/users/schema=1/")
    assert not inside("s3://b/x/", "")
    assert strays([{"StorageDescriptor": {}}], "s3://b/t/") == [{"StorageDescriptor": {}}]


def test_glue_job_scope():
    assert in_scope({"Name": "lake-prod-backfill"}, "lake-prod", set())
    assert in_scope({"Name": "adhoc", "DefaultArguments": {"--database": "lake_prod"}}, "lake-prod", {"lake_prod"})
    assert not in_scope(
        {"Name": "other-team", "DefaultArguments": {"--database": "theirs"}}, "lake-prod", {"lake_prod"}
    )
