"""Seeded violations: each a small edit to a copy of ``infra/`` (+ ``contracts/``) and the check that must catch it.

An edit is either a text replacement in one file (the anchor must occur exactly once, so a change in ``infra/``
that moves the anchor fails loudly instead of silently testing nothing) or a new ``mutation.tf`` added to the
layer module whose names it uses (``infra/layers/<layer>/``: a policy on ``module.iam.role_names[...]`` goes
into foundation, a Glue partition into catalog). Every mutation knows the layers it edits (:attr:`Mutation.layers`),
so a test can plan just those and take the rest of the lake from state.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lake.layers import LAYERS
from policies.loaders.layers import combine
from policies.model import Model, subset

REPO = Path(__file__).resolve().parents[2]


LAYER_OF_PATH = {
    "infra/modules/s3/": "foundation",
    "infra/modules/iam/": "foundation",
    "infra/modules/lambda/": "ingestion",
    "infra/modules/glue/": "catalog",
    "infra/modules/alarms/": "catalog",
    "infra/modules/athena/": "query",
    **{f"infra/layers/{layer}/": layer for layer in LAYERS},
}


@dataclass(frozen=True)
class Mutation:
    name: str
    check_id: str
    replace: tuple[tuple[str, str, str], ...] = ()  # (path relative to the copy, old, new)
    add: str = ""  # HCL written to infra/layers/<layer>/mutation.tf
    layer: str = ""  # the layer module `add` goes into (required with `add`)
    description: str = field(default="", compare=False)
    # A cross-state violation: (the layer edited, the layer it breaks the invariant together with). Each is caught
    # only when the gate sees both layers: on the HCL, on the four plans, and on the edited layer's plan judged
    # with the other layers' states.
    spans: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.add and self.layer not in LAYERS:
            raise ValueError(f"mutation {self.name}: `add` needs layer= one of {', '.join(LAYERS)}")

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers this mutation edits, in apply order."""
        edited = {self.layer} if self.add else set()
        for rel, _, _ in self.replace:
            edited |= {layer for prefix, layer in LAYER_OF_PATH.items() if rel.startswith(prefix)}
            if not any(rel.startswith(prefix) for prefix in LAYER_OF_PATH):
                raise ValueError(f"mutation {self.name}: {rel} belongs to no layer")
        return tuple(layer for layer in LAYERS if layer in edited)


def policy(role: str, statement: str, name: str = "mutation") -> str:
    return f"""
resource "aws_iam_role_policy" "{name}" {{
  name   = "{name}"
  role   = module.iam.role_names["{role}"]
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
"""


IAM = "infra/modules/iam/main.tf"
S3 = "infra/modules/s3/main.tf"
GLUE = "infra/modules/glue/main.tf"
LAMBDA = "infra/modules/lambda/main.tf"
ATHENA = "infra/modules/athena/main.tf"
CATALOG = "infra/layers/catalog/main.tf"

MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "etl-s3-star",
        "IAM-NO-WILDCARD",
        layer="foundation",
        add=policy(
            "etl",
            '{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::${module.names.bucket_names.curated}/*" }',
        ),
    ),
    Mutation(
        "analyst-notaction-allow",
        "IAM-NO-WILDCARD",
        layer="foundation",
        add=policy("analyst", '{ Effect = "Allow", NotAction = ["iam:*"], Resource = "*" }'),
    ),
    Mutation(
        "crawler-s3-full-access",
        "GLUE-NO-RAW-READ",
        layer="foundation",
        add="""
resource "aws_iam_role_policy_attachment" "mutation" {
  role       = module.iam.role_names["crawler"]
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}
""",
    ),
    Mutation(
        "crawler-glue-service-role",
        "GLUE-NO-RAW-READ",
        layer="foundation",
        add="""
resource "aws_iam_role_policy_attachment" "mutation" {
  role       = module.iam.role_names["crawler"]
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
}
""",
    ),
    Mutation(
        "raw-versioning-suspended", "RAW-VERSIONING", replace=((S3, 'status = "Enabled"', 'status = "Suspended"'),)
    ),
    Mutation(
        "raw-lifecycle-expiry",
        "RAW-NO-EXPIRY",
        layer="foundation",
        add="""
resource "aws_s3_bucket_lifecycle_configuration" "mutation" {
  bucket = module.s3.bucket_names["raw"]
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }
}
""",
    ),
    Mutation(
        "raw-overwrite-guard-removed",
        "RAW-NO-OVERWRITE",
        replace=((S3, 'variable = "s3:if-none-match"', 'variable = "s3:x-amz-server-side-encryption"'),),
    ),
    Mutation(
        "etl-put-bucket-versioning-on-raw",
        "RAW-NO-OVERWRITE",
        layer="foundation",
        add=policy(
            "etl",
            '{ Effect = "Allow", Action = ["s3:PutBucketVersioning"], Resource = "arn:aws:s3:::${module.names.bucket_names.raw}" }',
        ),
    ),
    Mutation(
        "analyst-writes-raw",
        "RAW-WRITERS",
        layer="foundation",
        add=policy(
            "analyst",
            '{ Effect = "Allow", Action = ["s3:PutObject"], Resource = "arn:aws:s3:::${module.names.bucket_names.raw}/incoming/*" }',
        ),
    ),
    Mutation(
        "etl-writes-raw",
        "ETL-NO-RAW-WRITE",
        replace=(
            (
                IAM,
                'actions   = ["s3:GetObject", "s3:GetObjectVersion"]',
                'actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]',
            ),
        ),
    ),
    Mutation(
        "etl-reads-all-raw",
        "ETL-NO-RAW-WRITE",
        replace=((IAM, '"${local.s3.raw}/incoming/${ds}/*"', '"${local.s3.raw}/${ds}/*"'),),
    ),
    Mutation(
        "etl-deletes-other-datasets",
        "ETL-NO-RAW-WRITE",
        layer="foundation",
        add=policy(
            "etl",
            '{ Effect = "Allow", Action = ["s3:DeleteObject"], Resource = "arn:aws:s3:::${module.names.bucket_names.curated}/dataset/*" }',
        ),
    ),
    Mutation(
        "crawler-s3-target",
        "CRAWLER-SCOPE",
        replace=(
            (
                GLUE,
                "  catalog_target {\n    database_name = aws_glue_catalog_database.this.name\n    tables        = [aws_glue_catalog_table.this[each.key].name]\n  }\n",
                '  s3_target {\n    path = "s3://${var.curated_bucket}/${each.value.curated_prefix}/"\n  }\n',
            ),
        ),
        description="the seed's design error: an S3-target crawler creates its own tables instead of adopting the declared one",
    ),
    Mutation(
        "crawler-points-at-raw",
        "CRAWLER-SCOPE",
        replace=(
            (
                GLUE,
                "  catalog_target {\n    database_name = aws_glue_catalog_database.this.name\n    tables        = [aws_glue_catalog_table.this[each.key].name]\n  }\n",
                '  s3_target {\n    path = "s3://${replace(var.curated_bucket, "-curated", "-raw")}/incoming/"\n  }\n',
            ),
        ),
    ),
    Mutation(
        "crawler-crawls-undeclared-table",
        "CRAWLER-SCOPE",
        replace=(
            (GLUE, "tables        = [aws_glue_catalog_table.this[each.key].name]", 'tables        = ["schema_1"]'),
        ),
    ),
    Mutation(
        "crawler-deleted-for-a-dataset",
        "CRAWLER-SCOPE",
        replace=(
            (
                GLUE,
                "  for_each = var.tables\n\n  name          = each.value.crawler_name\n",
                '  for_each = { for k, v in var.tables : k => v if k != "users_v1" }\n\n  name          = each.value.crawler_name\n',
            ),
        ),
    ),
    Mutation(
        "crawler-updates-schema",
        "CRAWLER-NO-MUTATION",
        replace=((GLUE, 'update_behavior = "LOG"', 'update_behavior = "UPDATE_IN_DATABASE"'),),
    ),
    Mutation(
        "crawler-catalog-target-deprecates",
        "CRAWLER-NO-MUTATION",
        replace=((GLUE, 'delete_behavior = "LOG"', 'delete_behavior = "DEPRECATE_IN_DATABASE"'),),
    ),
    Mutation(
        "projection-template-in-raw",
        "ATHENA-NO-RAW",
        replace=(
            (
                GLUE,
                '"storage.location.template"   = "s3://${var.curated_bucket}/',
                '"storage.location.template"   = "s3://${replace(var.curated_bucket, "-curated", "-raw")}/',
            ),
        ),
        description="a projection-mode table whose partitions would be read from raw",
    ),
    Mutation(
        "table-located-in-raw",
        "ATHENA-NO-RAW",
        replace=(
            (
                GLUE,
                'location      = "s3://${var.curated_bucket}/',
                'location      = "s3://${replace(var.curated_bucket, "-curated", "-raw")}/',
            ),
        ),
    ),
    Mutation(
        "results-in-curated",
        "ATHENA-NO-RAW",
        replace=(
            (
                ATHENA,
                'output_location = "s3://${var.results_bucket}/',
                'output_location = "s3://${replace(var.results_bucket, "-athena-results", "-curated")}/',
            ),
        ),
    ),
    Mutation(
        "workgroup-not-enforced",
        "ATHENA-ENFORCED",
        replace=((ATHENA, "enforce_workgroup_configuration    = true", "enforce_workgroup_configuration    = false"),),
    ),
    Mutation(
        "workgroup-no-cutoff",
        "ATHENA-ENFORCED",
        replace=((ATHENA, "bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query", ""),),
    ),
    Mutation(
        "s3-object-in-curated",
        "TF-NO-DATA",
        layer="foundation",
        add="""
resource "aws_s3_object" "mutation" {
  bucket  = module.s3.bucket_names["curated"]
  key     = "dataset/users/schema=1/dt=2024-01-01/seed.parquet"
  content = "not parquet"
}
""",
    ),
    Mutation(
        "etl-trusts-glue-too",
        "IAM-ONE-ROLE-PER-SERVICE",
        replace=(
            (
                IAM,
                'identifiers = ["lambda.amazonaws.com"]',
                'identifiers = ["lambda.amazonaws.com", "glue.amazonaws.com"]',
            ),
        ),
    ),
    Mutation(
        "crawler-runs-as-etl",
        "IAM-ONE-ROLE-PER-SERVICE",
        replace=(
            (
                CATALOG,
                'role/${module.names.role_names["crawler"]}"',
                'role/${module.names.role_names["etl"]}"',
            ),
        ),
    ),
    Mutation(
        "drift-reader-can-update-code",
        "DRIFT-READER-READ-ONLY",
        replace=((IAM, '"lambda:GetFunction",', '"lambda:GetFunction",\n      "lambda:UpdateFunctionCode",'),),
    ),
    Mutation(
        "etl-cannot-send-failures",
        "ETL-CAN-WORK",
        replace=((IAM, 'actions   = ["sqs:SendMessage"]', 'actions   = ["sqs:GetQueueUrl"]'),),
    ),
    Mutation(
        "crawler-cannot-list",
        "CRAWLER-CAN-WORK",
        replace=(
            (
                IAM,
                'sid       = "ListCuratedPrefixes"\n    actions   = ["s3:ListBucket"]',
                'sid       = "ListCuratedPrefixes"\n    actions   = ["s3:GetBucketLocation"]',
            ),
        ),
    ),
    Mutation(
        "analyst-cannot-start-query", "ANALYST-CAN-QUERY", replace=((IAM, '"athena:StartQueryExecution",\n', ""),)
    ),
    Mutation(
        "public-policy-allowed",
        "S3-BASELINE",
        replace=((S3, "block_public_policy     = true", "block_public_policy     = false"),),
    ),
    Mutation(
        "sse-s3-not-kms",
        "S3-BASELINE",
        replace=((S3, 'sse_algorithm     = "aws:kms"', 'sse_algorithm     = "AES256"'),),
    ),
    Mutation(
        "lambda-logs-unretained",
        "LOGS-RETAINED",
        replace=((LAMBDA, "retention_in_days = var.log_retention_days", "retention_in_days = 0"),),
    ),
    Mutation(
        "no-failure-destination",
        "ETL-FAILURES-KEPT",
        replace=(
            (
                LAMBDA,
                "  destination_config {\n    on_failure {\n      destination = aws_sqs_queue.failures.arn\n    }\n  }\n",
                "",
            ),
        ),
    ),
    Mutation("glue-int-not-bigint", "SCHEMA-AGREES", replace=((GLUE, '"bigint$${1}"', '"int$${1}"'),)),
    Mutation(
        "handler-not-found",
        "HANDLER-RESOLVES",
        replace=(
            (LAMBDA, 'handler          = "handler.app.lambda_handler"', 'handler          = "handler.app.handler"'),
        ),
    ),
    Mutation(
        "runtime-unsupported",
        "HANDLER-RESOLVES",
        replace=((LAMBDA, 'runtime          = "python3.12"', 'runtime          = "python3.11"'),),
    ),
    Mutation(
        "etl-config-missing-quarantine",
        "ETL-CONFIG",
        replace=((LAMBDA, "QUARANTINE_BUCKET = var.bucket_names.quarantine\n", ""),),
    ),
)

# ---------------------------------------------------------------------- attack catalogue (issue 10)
# The Terraform form of each entry of drift/attacks.py that Terraform can express (the entry names its mutation);
# kept in a block of their own so other lists appended above merge cleanly.


def raw_lifecycle(rule: str) -> str:
    return f"""
resource "aws_s3_bucket_lifecycle_configuration" "mutation" {{
  bucket = module.s3.bucket_names["raw"]
  rule {{
    id     = "console"
    status = "Enabled"
    filter {{}}
{rule}
  }}
}}
"""


ATTACK_MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "raw-lifecycle-current-expiry",
        "RAW-NO-EXPIRY",
        layer="foundation",
        add=raw_lifecycle("    expiration {\n      days = 30\n    }"),
    ),
    Mutation(
        "raw-lifecycle-glacier",
        "RAW-NO-EXPIRY",
        layer="foundation",
        add=raw_lifecycle('    transition {\n      days          = 30\n      storage_class = "DEEP_ARCHIVE"\n    }'),
    ),
    Mutation(
        "raw-bucket-policy-removed",
        "RAW-NO-OVERWRITE",
        replace=(
            (
                S3,
                'resource "aws_s3_bucket_policy" "this" {\n  for_each = aws_s3_bucket.this\n',
                'resource "aws_s3_bucket_policy" "this" {\n  for_each = { for k, v in aws_s3_bucket.this : k => v if k != "raw" }\n',
            ),
        ),
    ),
    Mutation(
        "raw-acl-public-read",
        "S3-BASELINE",
        layer="foundation",
        add="""
resource "aws_s3_bucket_acl" "mutation" {
  bucket = module.s3.bucket_names["raw"]
  acl    = "public-read"
}
""",
    ),
    Mutation(
        "raw-replication-foreign",
        "S3-BASELINE",
        layer="foundation",
        add="""
resource "aws_s3_bucket_replication_configuration" "mutation" {
  bucket = module.s3.bucket_names["raw"]
  role   = module.iam.role_arns["etl"]
  rule {
    id     = "to-partner"
    status = "Enabled"
    destination {
      bucket = "arn:aws:s3:::partner-archive"
    }
  }
}
""",
    ),
    Mutation(
        "public-access-block-removed",
        "S3-BASELINE",
        replace=(
            (
                S3,
                'resource "aws_s3_bucket_public_access_block" "this" {\n  for_each = aws_s3_bucket.this\n',
                'resource "aws_s3_bucket_public_access_block" "this" {\n  for_each = { for k, v in aws_s3_bucket.this : k => v if k != "curated" }\n',
            ),
        ),
    ),
    Mutation(
        "sse-removed",
        "S3-BASELINE",
        replace=(
            (
                S3,
                'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n  for_each = aws_s3_bucket.this\n',
                'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n  for_each = { for k, v in aws_s3_bucket.this : k => v if k != "athena_results" }\n',
            ),
        ),
    ),
    Mutation(
        "ownership-object-writer",
        "S3-BASELINE",
        replace=((S3, 'object_ownership = "BucketOwnerEnforced"', 'object_ownership = "ObjectWriter"'),),
    ),
    Mutation(
        "bucket-policy-public",
        "S3-BASELINE",
        layer="foundation",
        add="""
resource "aws_s3_bucket_policy" "mutation" {
  bucket = module.s3.bucket_names["artifacts"]
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "PublicRead", Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::${module.names.bucket_names.artifacts}/*" },
      { Sid = "TlsOnly", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "arn:aws:s3:::${module.names.bucket_names.artifacts}/*", Condition = { Bool = { "aws:SecureTransport" = "false" } } },
    ]
  })
}
""",
    ),
    Mutation(
        "analyst-customer-policy-s3-star",
        "IAM-NO-WILDCARD",
        layer="foundation",
        add="""
resource "aws_iam_policy" "mutation" {
  name   = "console-s3-admin"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}

resource "aws_iam_role_policy_attachment" "mutation" {
  role       = module.iam.role_names["analyst"]
  policy_arn = aws_iam_policy.mutation.arn
}
""",
    ),
    Mutation(
        "table-located-in-quarantine",
        "ATHENA-NO-RAW",
        replace=(
            (
                GLUE,
                'location      = "s3://${var.curated_bucket}/',
                'location      = "s3://${replace(var.curated_bucket, "-curated", "-quarantine")}/',
            ),
        ),
    ),
    Mutation(
        "partition-located-in-raw",
        "ATHENA-NO-RAW",
        layer="catalog",
        add="""
resource "aws_glue_partition" "mutation" {
  database_name    = module.names.database_name
  table_name       = "users_v1"
  partition_values = ["2024-05-01"]
  storage_descriptor {
    location = "s3://${module.names.bucket_names.raw}/incoming/users/2024/05/01/"
  }
}
""",
    ),
    Mutation(
        "workgroup-results-unencrypted",
        "ATHENA-ENFORCED",
        replace=(
            (
                ATHENA,
                '      encryption_configuration {\n        encryption_option = "SSE_KMS"\n        kms_key_arn       = var.kms_key_arn\n      }\n',
                "",
            ),
        ),
    ),
    Mutation(
        "second-workgroup-not-enforced",
        "ATHENA-ENFORCED",
        layer="query",
        add="""
resource "aws_athena_workgroup" "mutation" {
  name = "${var.name_prefix}-adhoc"
  configuration {
    enforce_workgroup_configuration = false
    result_configuration {
      output_location = "s3://${module.names.bucket_names.athena_results}/adhoc/"
    }
  }
}
""",
    ),
    Mutation(
        "lambda-log-group-removed",
        "LOGS-RETAINED",
        replace=(
            (
                LAMBDA,
                'for_each = var.functions\n\n  name              = "/aws/lambda/${each.value.name}"',
                'for_each = { for k, v in var.functions : k => v if k != "tweets" }\n\n  name              = "/aws/lambda/${each.value.name}"',
            ),
        ),
    ),
    Mutation(
        "etl-prefix-off-table",
        "CRAWLER-SCOPE",
        replace=(
            (
                LAMBDA,
                "CURATED_PREFIX    = each.value.curated_prefix",
                'CURATED_PREFIX    = "${each.value.curated_prefix}/hotfix"',
            ),
        ),
    ),
    Mutation(
        "prefixed-policy-s3-star",
        "IAM-NO-WILDCARD",
        layer="foundation",
        add="""
resource "aws_iam_policy" "mutation" {
  name   = "${var.name_prefix}-s3-admin"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
""",
    ),
    Mutation(
        "bucket-without-baseline",
        "S3-BASELINE",
        layer="foundation",
        add="""
resource "aws_s3_bucket" "mutation" {
  bucket = "${var.name_prefix}-scratch"
}
""",
    ),
    Mutation(
        "kms-key-disabled",
        "ETL-CAN-WORK",
        replace=(
            (
                S3,
                "  enable_key_rotation     = true\n",
                "  enable_key_rotation     = true\n  is_enabled              = false\n",
            ),
        ),
    ),
)
MUTATIONS = MUTATIONS + ATTACK_MUTATIONS


def make_copy(dest: Path) -> Path:
    """A copy of infra/ and contracts/ under ``dest``; returns the copy's ``infra/`` (what ``check_hcl`` and
    ``lake policy check --infra`` read: its ``envs/local``, four layer roots)."""
    shutil.copytree(
        REPO / "infra", dest / "infra", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "tfplan")
    )
    shutil.copytree(REPO / "contracts", dest / "contracts", ignore=shutil.ignore_patterns("__pycache__"))
    return dest / "infra"


def apply_mutation(mutation: Mutation, infra: Path) -> None:
    """Edit the copy whose ``infra/`` is ``infra``."""
    copy = infra.parent
    for rel, old, new in mutation.replace:
        path = copy / rel
        text = path.read_text(encoding="utf-8")
        count = text.count(old)
        if count != 1:
            raise AssertionError(
                f"mutation {mutation.name}: anchor {old!r} occurs {count} times in {rel}, expected once"
            )
        path.write_text(text.replace(old, new), encoding="utf-8")
    if mutation.add:
        (infra / "layers" / mutation.layer / "mutation.tf").write_text(mutation.add, encoding="utf-8")


def mutated_copy(mutation: Mutation | None, dest: Path) -> Path:
    """A mutated copy of the checkout's infra/ and contracts/; returns the copy's ``infra/``."""
    infra = make_copy(dest)
    if mutation is not None:
        apply_mutation(mutation, infra)
    return infra


# ---------------------------------------------------------------------- batched plans

MODULE_RE = re.compile(r'^module "(\w+)" \{\n.*?^\}\n', re.S | re.M)
VARIABLE_RE = re.compile(r'^variable "(\w+)"', re.M)


def instance_name(mutation: Mutation | None) -> str:
    return "lake_" + (mutation.name.replace("-", "_") if mutation else "clean")


def lake_module(infra: Path, dest: Path) -> None:
    """``dest`` (a sibling of ``infra``) as one module holding the four layers of ``infra/envs/local`` (``module.<layer>``, the blocks of
    the four layer roots), with the environment's variables. The query layer waits for its foundation
    (``depends_on``): its KMS alias lookup is deferred to apply, as on an endpoint where that foundation does not
    exist yet, instead of failing the plan."""
    env = infra / "envs" / "local"
    dest.mkdir(parents=True)
    blocks = []
    for layer in LAYERS:
        main = (env / layer / "main.tf").read_text(encoding="utf-8")
        block = MODULE_RE.search(main)
        if block is None or block.group(1) != layer:
            raise AssertionError(f'{env / layer}/main.tf: no module "{layer}" block to wrap')
        text = block.group(0).replace(f'"../../../layers/{layer}"', f'"../infra/layers/{layer}"')
        if layer == "query":
            text = text[: -len("}\n")] + "\n  depends_on = [module.foundation]\n}\n"
        blocks.append(text)
    (dest / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    shutil.copy(env / "common" / "variables.tf", dest / "variables.tf")


def batch_root(mutations: list[Mutation | None], dest: Path) -> Path:
    """One Terraform root holding one whole lake per mutation (``module.lake_<name>.module.<layer>``), each
    built from its own mutated copy of infra/. A single ``terraform plan`` of it plans every copy's four layers:
    provider start-up and the data-source reads are paid once per batch instead of once per mutation and layer,
    and each copy's resources stay apart under its module address, so a finding is attributed to exactly one
    mutation (:func:`lake_slice` cuts one lake back into its layers)."""
    common = REPO / "infra" / "envs" / "local" / "common"
    root = dest / "root"
    root.mkdir(parents=True)
    names = VARIABLE_RE.findall((common / "variables.tf").read_text(encoding="utf-8"))
    inputs = "".join(f"  {name} = var.{name}\n" for name in names)
    calls = []
    for i, mutation in enumerate(mutations):
        infra = mutated_copy(mutation, dest / str(i))
        lake_module(infra, dest / str(i) / "lake")
        calls.append(f'module "{instance_name(mutation)}" {{\n  source = "../{i}/lake"\n\n{inputs}}}\n')
    (root / "main.tf").write_text("\n".join(calls), encoding="utf-8")
    for name in ("provider.tf", "variables.tf", "versions.tf"):
        shutil.copy(common / name, root / name)
    return root


def lake_slice(model: Model, mutation: Mutation | None) -> Model:
    """One mutation's lake out of a batch plan's model: each ``module.lake_<name>.module.<layer>`` as that layer,
    combined as ``lake policy check`` combines four plans (each resource tagged with its layer)."""
    prefix = f"module.{instance_name(mutation)}.module."
    return combine({layer: subset(model, prefix + layer) for layer in LAYERS})


# ---------------------------------------------------------------------- issue 15: alarms and the batch-operations role

ALARMS = "infra/modules/alarms/main.tf"
BATCH_ROLE = '"${var.name_prefix}-batch-operations"'

MUTATIONS += (
    Mutation(
        "alarms-no-function-alarms",
        "ALARMS-PRESENT",
        replace=(
            (
                CATALOG,
                "function_names                = { for ds, f in module.names.functions : ds => f.name }",
                "function_names                = {}",
            ),
        ),
    ),
    Mutation(
        "alarms-no-failure-queue-depth",
        "ALARMS-PRESENT",
        replace=((ALARMS, '"ApproximateNumberOfMessagesVisible"', '"NumberOfMessagesSent"'),),
    ),
    Mutation(
        "alarms-notify-nobody",
        "ALARMS-PRESENT",
        replace=((ALARMS, "  alarm_actions       = [aws_sns_topic.alarms.arn]\n", "  alarm_actions       = []\n"),),
    ),
    Mutation(
        "alarms-description-without-runbook",
        "ALARMS-PRESENT",
        replace=(
            (ALARMS, "Runbook: `lake replay --redrive` re-runs the kept events", "Someone should look at the events"),
        ),
    ),
    Mutation(
        "alarms-crawler-filter-on-another-group",
        "ALARMS-PRESENT",
        replace=((ALARMS, "log_group_name = var.crawler_log_group", 'log_group_name = "/aws/other"'),),
    ),
    Mutation(
        "alarms-function-errors-threshold-five",
        "ALARMS-PRESENT",
        replace=(
            (
                ALARMS,
                'metric      = "Errors"\n          dimensions  = { FunctionName = name }\n          statistic   = "Sum"\n          period      = 300\n          threshold   = 0\n',
                'metric      = "Errors"\n          dimensions  = { FunctionName = name }\n          statistic   = "Sum"\n          period      = 300\n          threshold   = 5\n',
            ),
        ),
    ),
    Mutation(
        "alarms-fire-at-or-below-zero",
        "ALARMS-PRESENT",
        replace=(
            (
                ALARMS,
                'comparison_operator = "GreaterThanThreshold"',
                'comparison_operator = "LessThanOrEqualToThreshold"',
            ),
        ),
    ),
    Mutation(
        "batch-role-writes-raw",
        "BATCH-ROLE-SCOPE",
        layer="foundation",
        add=f"""
resource "aws_iam_role_policy" "mutation" {{
  name   = "mutation"
  role   = {BATCH_ROLE}
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::${{module.names.bucket_names.raw}}/incoming/*" }}] }})
}}
""",
    ),
    Mutation(
        "batch-role-reads-curated",
        "BATCH-ROLE-SCOPE",
        replace=(
            (
                IAM,
                'resources = ["${local.s3.artifacts}/${var.replay_manifest_prefix}*"]',
                'resources = ["${local.s3.curated}/*"]',
            ),
        ),
    ),
    Mutation(
        "batch-role-reports-anywhere",
        "BATCH-ROLE-SCOPE",
        replace=(
            (
                IAM,
                'resources = ["${local.s3.artifacts}/${var.replay_report_prefix}*"]',
                'resources = ["${local.s3.artifacts}/*"]',
            ),
        ),
    ),
    Mutation(
        "batch-role-invokes-any-function",
        "BATCH-ROLE-SCOPE",
        replace=((IAM, 'function:${f.name}"]', 'function:*"]'),),
    ),
    Mutation(
        "batch-role-trusts-lambda",
        "IAM-ONE-ROLE-PER-SERVICE",
        replace=(
            (IAM, 'identifiers = ["batchoperations.s3.amazonaws.com"]', 'identifiers = ["lambda.amazonaws.com"]'),
        ),
    ),
)


# ---------------------------------------------------------------------- issue 14: cross-state violations
# Each edits one layer and breaks an invariant together with a layer it does not touch (`spans`), so a gate that
# judged one plan at a time would pass it: the raw bucket, the roles and their grants are foundation's.

CROSS_STATE_MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "crawler-target-moved-to-raw",
        "GLUE-NO-RAW-READ",
        replace=(
            (
                GLUE,
                "  catalog_target {\n    database_name = aws_glue_catalog_database.this.name\n",
                '  s3_target {\n    path = "s3://${replace(var.curated_bucket, "-curated", "-raw")}/incoming/${each.value.dataset}/"\n  }\n\n'
                "  catalog_target {\n    database_name = aws_glue_catalog_database.this.name\n",
            ),
        ),
        spans=("catalog", "foundation"),
        description="catalog: each crawler also crawls its dataset's raw uploads; foundation: the raw bucket and the crawler role",
    ),
    Mutation(
        "etl-env-points-at-raw",
        "ETL-NO-RAW-WRITE",
        replace=((LAMBDA, "CURATED_BUCKET    = var.bucket_names.curated", "CURATED_BUCKET    = var.bucket_names.raw"),),
        spans=("ingestion", "foundation"),
        description="ingestion: the functions write their Parquet into raw; foundation: the raw bucket and the etl role",
    ),
    Mutation(
        "table-in-raw-read-by-analyst",
        "ATHENA-NO-RAW",
        replace=(
            (
                GLUE,
                'location      = "s3://${var.curated_bucket}/${each.value.curated_prefix}/"',
                'location      = "s3://${replace(var.curated_bucket, "-curated", "-raw")}/incoming/${each.value.dataset}/"',
            ),
        ),
        spans=("catalog", "foundation"),
        description="catalog: the tables read the raw uploads; foundation: the raw bucket and the analyst role that queries them",
    ),
)
MUTATIONS += CROSS_STATE_MUTATIONS

# A layer names the roles of the layer below by ARN (built from the role's name and the caller's account), where the
# single root referenced the role resource: a role of the same name in another account must not pass for the lake's.
MUTATIONS += (
    Mutation(
        "crawler-role-in-another-account",
        "IAM-ONE-ROLE-PER-SERVICE",
        replace=(
            (
                CATALOG,
                'iam::${data.aws_caller_identity.current.account_id}:role/${module.names.role_names["crawler"]}"',
                'iam::111122223333:role/${module.names.role_names["crawler"]}"',
            ),
        ),
    ),
)
