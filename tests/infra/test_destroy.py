"""``terraform destroy`` of the local lake leaves nothing behind (own moto server: nothing else lives there)."""

from __future__ import annotations

import pytest

from lake.deploy import LocalLake
from lake.local_aws import LocalAWS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def live_resources(aws: LocalAWS) -> dict[str, list[str]]:
    """Every resource kind the lake creates, as names found on the endpoint."""
    glue, logs, kms = aws.client("glue"), aws.client("logs"), aws.client("kms")
    return {
        "buckets": [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]],
        "functions": [f["FunctionName"] for f in aws.client("lambda").list_functions()["Functions"]],
        "layers": [ly["LayerName"] for ly in aws.client("lambda").list_layers()["Layers"]],
        "roles": [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]],
        "queues": aws.client("sqs").list_queues().get("QueueUrls", []),
        "databases": [d["Name"] for d in glue.get_databases()["DatabaseList"]],
        "crawlers": glue.list_crawlers()["CrawlerNames"],
        "workgroups": [
            w["Name"] for w in aws.client("athena").list_work_groups()["WorkGroups"] if w["Name"] != "primary"
        ],
        "log_groups": [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]],
        "key_aliases": [
            a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")
        ],
        "enabled_keys": [
            k["KeyId"]
            for k in kms.list_keys()["Keys"]
            if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
        ],
    }


def test_destroy_leaves_nothing_behind(lake_artifacts, lake_tmp):
    handler_zip, layer_zip = lake_artifacts
    with LocalAWS.start() as aws:
        lake = LocalLake(
            aws, lake_tmp / "destroyed", handler_zip, layer_zip, variables={"datasets": {"users": {"versions": [1]}}}
        )
        with lake:
            lake.init()
            lake.apply()
            # uploads after deploy must not block destroy (force_destroy in envs/local)
            s3 = aws.client("s3")
            s3.put_object(Bucket="lake-local-raw", Key="incoming/users/2024/01/01/a.json", Body=b"{}")
            s3.put_object(Bucket="lake-local-raw", Key="incoming/users/2024/01/01/a.json", Body=b"{}")  # a 2nd version
            s3.put_object(Bucket="lake-local-curated", Key="dataset/users/schema=1/dt=2024-01-01/x.parquet", Body=b"x")
            before = live_resources(aws)
            lake.destroy()
            after = live_resources(aws)
    assert all(before.values()), f"the lake was not deployed: {before}"
    assert after == {kind: [] for kind in after}
