"""Plan JSON and tfstate -> the same model the HCL gives."""

from __future__ import annotations

import pytest

from policies.api import check_state
from policies.errors import PolicyInputError
from policies.loaders.plan import load_plan
from policies.loaders.state import load_state
from policies.model import Unknown

PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "child_modules": [
                {
                    "address": "module.s3",
                    "resources": [
                        {
                            "address": 'module.s3.aws_s3_bucket.this["raw"]',
                            "mode": "managed",
                            "type": "aws_s3_bucket",
                            "name": "this",
                            "index": "raw",
                            "values": {"bucket": "p-raw"},
                        },
                        {
                            "address": "module.s3.aws_s3_bucket_versioning.raw",
                            "mode": "managed",
                            "type": "aws_s3_bucket_versioning",
                            "name": "raw",
                            "values": {"versioning_configuration": [{"status": "Enabled"}]},
                        },
                    ],
                }
            ]
        }
    },
    "resource_changes": [
        {"address": 'module.s3.aws_s3_bucket.this["raw"]', "change": {"after_unknown": {"arn": True, "id": True}}},
        {
            "address": "module.s3.aws_s3_bucket_versioning.raw",
            "change": {"after_unknown": {"bucket": True, "id": True}},
        },
    ],
    "configuration": {
        "root_module": {
            "module_calls": {
                "s3": {
                    "module": {
                        "resources": [
                            {
                                "address": "aws_s3_bucket.this",
                                "expressions": {"bucket": {"references": ["each.value"]}},
                            },
                            {
                                "address": "aws_s3_bucket_versioning.raw",
                                "expressions": {
                                    "bucket": {"references": ['aws_s3_bucket.this["raw"].id', "aws_s3_bucket.this"]}
                                },
                            },
                        ]
                    }
                }
            }
        }
    },
}


def test_plan_child_modules_instances_and_unknowns():
    model = load_plan(PLAN)
    raw = model.by_address('module.s3.aws_s3_bucket.this["raw"]')
    assert raw.module == "module.s3" and raw.index == "raw"
    assert raw.get("arn") == "arn:aws:s3:::p-raw"  # derived: fixed by the bucket name
    versioning = model.by_address("module.s3.aws_s3_bucket_versioning.raw")
    bucket = versioning.get("bucket")
    assert isinstance(bucket, Unknown)
    assert 'module.s3.aws_s3_bucket.this["raw"].id' in bucket.refs  # configuration references, module-qualified
    assert "id" not in versioning.values  # computed and not configured: left out, never guessed


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "not a Terraform plan"),
        ({"resources": []}, "not a Terraform plan"),
        ({"format_version": "2.0", "planned_values": {}}, "unsupported plan format_version"),
    ],
)
def test_unusable_plans(doc, message):
    with pytest.raises(PolicyInputError, match=message):
        load_plan(doc)


def test_state_v4_and_check_state_judges_live_drift():
    state = {
        "version": 4,
        "resources": [
            {
                "module": "module.s3",
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "this",
                "instances": [{"index_key": "raw", "attributes": {"bucket": "p-raw", "arn": "arn:aws:s3:::p-raw"}}],
            },
            {
                "module": "module.s3",
                "mode": "managed",
                "type": "aws_s3_bucket_versioning",
                "name": "raw",
                "instances": [
                    {"attributes": {"bucket": "p-raw", "versioning_configuration": [{"status": "Suspended"}]}}
                ],
            },
        ],
    }
    model = load_state(state)
    assert model.by_address('module.s3.aws_s3_bucket.this["raw"]').get("bucket") == "p-raw"
    findings = check_state(state, only=["RAW-VERSIONING"])
    assert [(f.check_id, f.address) for f in findings] == [("RAW-VERSIONING", "module.s3.aws_s3_bucket_versioning.raw")]
    assert "Suspended" in findings[0].message and findings[0].fix


def test_state_rejects_other_documents():
    with pytest.raises(PolicyInputError, match="not a Terraform state"):
        load_state({"format_version": "1.2"})
