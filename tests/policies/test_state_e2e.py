"""The deployed lake's Terraform state through the same checks (what the drift checker re-judges)."""

from __future__ import annotations

import copy

import pytest

from policies.api import check_state

pytestmark = pytest.mark.e2e


def test_applied_state_passes_and_drift_is_judged(deployed_lake):
    state = deployed_lake.state()
    findings = check_state(state)
    assert findings == [], [f"{f.check_id} {f.address}: {f.message}" for f in findings]

    drifted = copy.deepcopy(state)
    for r in drifted["resources"]:
        if r["type"] == "aws_s3_bucket_versioning":
            r["instances"][0]["attributes"]["versioning_configuration"][0]["status"] = "Suspended"
        if r["type"] == "aws_glue_crawler":
            for inst in r["instances"]:
                inst["attributes"]["schema_change_policy"][0]["update_behavior"] = "UPDATE_IN_DATABASE"
    ids = {f.check_id for f in check_state(drifted)}
    assert {"RAW-VERSIONING", "CRAWLER-NO-MUTATION"} <= ids
