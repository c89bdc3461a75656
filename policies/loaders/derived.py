"""Attributes Terraform computes but that follow from the arguments (an S3 bucket's ARN from its name).

Used by the plan and state loaders to fill values the plan marks unknown although they are fixed; the HCL
loader has its own table in :mod:`policies.loaders.hcl`.
"""

from __future__ import annotations

from typing import Any

from policies.model import Unknown


def fill_derived(rtype: str, values: dict[str, Any]) -> None:
    bucket = values.get("bucket")
    if rtype == "aws_s3_bucket" and isinstance(bucket, str):
        for key, value in (("id", bucket), ("arn", f"arn:aws:s3:::{bucket}")):
            if key not in values or isinstance(values[key], Unknown):
                values[key] = value
    name_keys = {
        "aws_iam_role": "name",
        "aws_cloudwatch_log_group": "name",
        "aws_glue_crawler": "name",
        "aws_athena_workgroup": "name",
        "aws_lambda_function": "function_name",
    }
    key = name_keys.get(rtype)
    if key and isinstance(values.get(key), str) and isinstance(values.get("id", Unknown("")), Unknown):
        values["id"] = values[key]
