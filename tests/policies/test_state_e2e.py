"""The deployed lake's four Terraform states through the same checks, as one lake (what the drift checker re-judges)."""

from __future__ import annotations

import copy

import pytest

from lake.layers import LAYERS
from policies.api import check_lake

pytestmark = pytest.mark.e2e


def test_applied_states_pass_as_one_lake_and_drift_is_judged(deployed_lake):
    states = deployed_lake.states()
    assert list(states) == list(LAYERS)
    findings = check_lake(states=states)
    assert findings == [], [f"{f.check_id} {f.layer} {f.address}: {f.message}" for f in findings]

    drifted = copy.deepcopy(states)
    for r in drifted["foundation"]["resources"]:
        if r["type"] == "aws_s3_bucket_versioning":
            r["instances"][0]["attributes"]["versioning_configuration"][0]["status"] = "Suspended"
    for r in drifted["catalog"]["resources"]:
        if r["type"] == "aws_glue_crawler":
            for inst in r["instances"]:
                inst["attributes"]["schema_change_policy"][0]["update_behavior"] = "UPDATE_IN_DATABASE"
    layers = {(f.check_id, f.layer) for f in check_lake(states=drifted)}
    assert {("RAW-VERSIONING", "foundation"), ("CRAWLER-NO-MUTATION", "catalog")} <= layers
