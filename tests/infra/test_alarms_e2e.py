"""Alarms, their topic and the batch-operations role applied to the local endpoint, read back, and judged by drift:
ALARMS-PRESENT and BATCH-ROLE-SCOPE hold on the live lake, and ClickOps that breaks them is critical drift."""

from __future__ import annotations

import json

import pytest

from drift.aws import AWSOptions, LiveAWS
from drift.check import CheckOptions, run_check
from drift.model import Kind, Severity

pytestmark = pytest.mark.e2e

ALARM_INPUT = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "MetricName", "Namespace",
    "Statistic", "Dimensions", "Period", "EvaluationPeriods", "Threshold", "ComparisonOperator", "TreatMissingData",
)  # fmt: skip


def check(lake):
    options = CheckOptions(
        states=[str(p) for p in lake.state_paths.values()],
        aws=AWSOptions(endpoint_url=lake.aws.endpoint, region=lake.aws.region),
        progress=False,
    )
    return run_check(options, LiveAWS(options.aws, session=lake.aws.session()))


def alarms(lake) -> dict[str, dict]:
    found = lake.aws.client("cloudwatch").describe_alarms(AlarmNames=lake.outputs["alarm_names"])
    return {a["AlarmName"]: a for a in found["MetricAlarms"]}


def test_topic_alarms_and_filters_are_applied_and_read_back(deployed_lake):
    out, aws = deployed_lake.outputs, deployed_lake.aws
    topic = out["alarm_topic_arn"]
    assert topic.endswith(":lake-local-alarms")
    assert topic in [t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]]
    live = alarms(deployed_lake)
    queue = "lake-local-etl-failures"
    expected = {"lake-local-failure-queue-depth", "lake-local-failure-queue-age",
                "lake-local-crawler-failures", "lake-local-crawler-schema-differences"}  # fmt: skip
    for fn in out["functions"].values():
        expected |= {f"{fn['name']}-errors", f"{fn['name']}-throttles"}
    assert set(live) == expected == set(out["alarm_names"])
    for alarm in live.values():
        assert alarm["AlarmActions"] == [topic], alarm["AlarmName"]
        assert "lake replay --redrive" in alarm["AlarmDescription"] or "lake crawl" in alarm["AlarmDescription"]
    depth = live["lake-local-failure-queue-depth"]
    assert (depth["Namespace"], depth["MetricName"], depth["Threshold"], depth["ComparisonOperator"]) == (
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", 0.0, "GreaterThanThreshold")  # fmt: skip
    assert depth["Dimensions"] == [{"Name": "QueueName", "Value": queue}]
    filters = aws.client("logs").describe_metric_filters(logGroupName="/aws-glue/crawlers")["metricFilters"]
    assert {f["metricTransformations"][0]["metricName"] for f in filters} == {
        live["lake-local-crawler-failures"]["MetricName"],
        live["lake-local-crawler-schema-differences"]["MetricName"],
    }


def test_batch_operations_role_is_applied_with_its_trust_and_scope(deployed_lake):
    iam = deployed_lake.aws.client("iam")
    replay = deployed_lake.outputs["replay"]
    role = iam.get_role(RoleName=replay["role_arn"].rsplit("/", 1)[-1])["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "batchoperations.s3.amazonaws.com"}]
    assert (replay["manifest_prefix"], replay["report_prefix"]) == ("replay/manifests/", "replay/reports/")


def _findings(lake):
    report = check(lake)
    assert report.judged, report.judge_note
    return [f for f in report.findings if f.kind is not Kind.UNKNOWN]


def _put_alarm(aws, alarm: dict, **changes) -> None:
    params = {k: alarm[k] for k in ALARM_INPUT if k in alarm} | changes
    aws.client("cloudwatch").put_metric_alarm(**params)


def test_alarm_raised_threshold_is_critical_drift(deployed_lake):
    aws = deployed_lake.aws
    original = alarms(deployed_lake)["lake-local-failure-queue-depth"]
    _put_alarm(aws, original, Threshold=50.0)
    try:
        drift = _findings(deployed_lake)
    finally:
        _put_alarm(aws, original)
    [finding] = drift
    assert finding.kind is Kind.CHANGED and finding.address.endswith(
        'aws_cloudwatch_metric_alarm.this["lake-local-failure-queue-depth"]'
    )
    assert [c.path for c in finding.changes] == ["threshold"]
    assert finding.severity is Severity.CRITICAL and any("ALARMS-PRESENT" in i for i in finding.invariants)


def test_deleted_function_alarm_is_critical_drift(deployed_lake):
    aws = deployed_lake.aws
    name = f"{deployed_lake.outputs['functions']['users']['name']}-errors"
    original = alarms(deployed_lake)[name]
    aws.client("cloudwatch").delete_alarms(AlarmNames=[name])
    try:
        drift = _findings(deployed_lake)
    finally:
        _put_alarm(aws, original)
    [finding] = drift
    assert finding.kind is Kind.DELETED and finding.address.endswith(f'aws_cloudwatch_metric_alarm.this["{name}"]')
    assert finding.severity is Severity.CRITICAL and any("ALARMS-PRESENT" in i for i in finding.invariants)


def test_batch_role_given_raw_write_by_hand_is_critical_drift(deployed_lake):
    iam = deployed_lake.aws.client("iam")
    role = deployed_lake.outputs["replay"]["role_arn"].rsplit("/", 1)[-1]
    raw = deployed_lake.outputs["raw_bucket"]
    statement = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{raw}/incoming/*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    iam.put_role_policy(RoleName=role, PolicyName="console-fix", PolicyDocument=document)
    try:
        drift = _findings(deployed_lake)
    finally:
        iam.delete_role_policy(RoleName=role, PolicyName="console-fix")
    [finding] = drift
    assert finding.kind is Kind.UNMANAGED
    assert finding.severity is Severity.CRITICAL and any("BATCH-ROLE-SCOPE" in i for i in finding.invariants)


def test_clean_after_the_reverts(deployed_lake):
    assert [f.to_dict() for f in check(deployed_lake).findings] == []
