"""The HCL evaluator and module loader: Terraform semantics on small configurations."""

from __future__ import annotations

import pytest

from policies.errors import PolicyInputError
from policies.loaders.hcl import load_hcl
from policies.model import Unknown


def evaluate(tmp_path, expr: str, extra: str = ""):
    (tmp_path / "main.tf").write_text(
        f'variable "m" {{\n  default = {{ a = {{ v = [1, 2] }}, b = {{ v = [3] }} }}\n}}\n{extra}\n'
        f'output "x" {{\n  value = {expr}\n}}\nresource "aws_s3_bucket" "b" {{\n  bucket = jsonencode({expr})\n}}\n'
    )
    model = load_hcl(tmp_path)
    value = model.by_address("aws_s3_bucket.b").get("bucket")
    return value if isinstance(value, Unknown) else __import__("json").loads(value)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('"x-${1 + 2}"', "x-3"),
        ("[for k, v in var.m : k if length(v.v) > 1]", ["a"]),
        ("{ for k, v in var.m : k => max(v.v...) }", {"a": 2, "b": 3}),
        ('flatten([for k, v in var.m : [for n in v.v : "${k}${n}"]])', ["a1", "a2", "b3"]),
        ('replace("a-int64-b", "/(^|-)int64($|-)/", "$${1}bigint$${2}")', "a-bigint-b"),
        ("var.m.a.v[*]", [1, 2]),
        ('merge({ a = 1 }, { b = 2 })["b"]', 2),
        ('true ? "y" : "n"', "y"),
        ('try(var.m.zzz, "fallback")', "fallback"),
        ('coalesce(null, "c")', "c"),
        ('format("%s-%03d", "a", 7)', "a-007"),
        ("keys(var.m)", ["a", "b"]),
    ],
)
def test_expressions(tmp_path, expr, expected):
    assert evaluate(tmp_path, expr) == expected


def test_after_apply_attribute_is_unknown_with_reference(tmp_path):
    extra = 'resource "aws_kms_key" "k" {}\n'
    value = evaluate(tmp_path, "aws_kms_key.k.arn", extra)
    assert isinstance(value, Unknown)
    assert value.refs == ("aws_kms_key.k.arn",)
    assert "after apply" in value.reason


def test_modules_for_each_and_dynamic_blocks(tmp_path):
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "names" {}\n'
        'resource "aws_s3_bucket" "this" {\n  for_each = toset(var.names)\n  bucket = "p-${each.key}"\n}\n'
        'resource "aws_s3_bucket_lifecycle_configuration" "l" {\n  bucket = aws_s3_bucket.this["raw"].id\n'
        '  dynamic "rule" {\n    for_each = ["a", "b"]\n    content {\n      id = rule.value\n      status = "Enabled"\n    }\n  }\n}\n'
        'output "arns" {\n  value = { for k, b in aws_s3_bucket.this : k => b.arn }\n}\n'
    )
    (tmp_path / "main.tf").write_text(
        'module "m" {\n  source = "./mod"\n  names = ["raw", "curated"]\n}\n'
        'resource "aws_s3_bucket_policy" "p" {\n  bucket = "x"\n  policy = module.m.arns["raw"]\n}\n'
    )
    model = load_hcl(tmp_path)
    assert model.by_address('module.m.aws_s3_bucket.this["raw"]').get("bucket") == "p-raw"
    rules = model.by_address("module.m.aws_s3_bucket_lifecycle_configuration.l").block("rule")
    assert [r["id"] for r in rules] == ["a", "b"]
    assert model.by_address("module.m.aws_s3_bucket_lifecycle_configuration.l").get("bucket") == "p-raw"
    assert model.by_address("aws_s3_bucket_policy.p").get("policy") == "arn:aws:s3:::p-raw"


def test_policy_document_data_source_renders_json(tmp_path):
    (tmp_path / "main.tf").write_text(
        'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["s3:GetObject"]\n    resources = ["arn:aws:s3:::b/*"]\n'
        '    condition {\n      test = "Bool"\n      variable = "aws:SecureTransport"\n      values = ["false"]\n    }\n  }\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n'
    )
    doc = __import__("json").loads(load_hcl(tmp_path).by_address("aws_iam_policy.p").get("policy"))
    assert doc["Statement"][0] == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_unknown_for_each_is_reported_not_dropped(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "aws_kms_key" "k" {}\nresource "aws_s3_bucket" "b" {\n  for_each = toset([aws_kms_key.k.arn])\n  bucket = "x"\n}\n'
    )
    model = load_hcl(tmp_path)
    assert [a for a, _ in model.settings["undecidable"]] == ["aws_s3_bucket.b"]


def test_malformed_hcl_names_the_file(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    with pytest.raises(PolicyInputError, match=r"main\.tf: not valid HCL"):
        load_hcl(tmp_path)


def test_undeclared_reference_names_the_location(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = var.nope\n}\n')
    with pytest.raises(PolicyInputError, match=r"main\.tf:1: .*nope"):
        load_hcl(tmp_path)
