"""``lake infra migrate-state``: the mapping from the single-state lake to the layers, and the refusals.

The mapping and the migration plan are pure and tested on state documents built here. One test runs the real
``terraform state mv`` / ``state push`` on local backends (no AWS is needed to move state); the migration of an
applied, populated lake is ``tests/infra/test_split_state_migration_e2e.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import hcl2
import pytest

from drift.state import StateError
from lake.cli import main as lake_main
from lake.layers import LAYERS
from lake.migrate import (
    RULES,
    MigrationError,
    backend_configs,
    map_address,
    migrate,
    plan_migration,
    state_mv_commands,
)
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)
PRE_SPLIT_LAKE = Path(__file__).parents[1] / "infra" / "pre_split" / "lake" / "main.tf"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'

# (module, mode, type, name, index keys) of a single-state lake's resources: a sample of each part.
SINGLE_STATE = [
    ("module.lake", "data", "aws_caller_identity", "current", [None]),
    ("module.lake", "managed", "aws_lambda_permission", "raw_invokes_etl", ["tweets", "users"]),
    ("module.lake", "managed", "aws_s3_bucket_notification", "raw", [None]),
    ("module.lake.module.s3", "managed", "aws_s3_bucket", "this", ["raw", "curated"]),
    ("module.lake.module.s3", "managed", "aws_kms_key", "data", [None]),
    ("module.lake.module.iam", "data", "aws_iam_policy_document", "etl", [None]),
    ("module.lake.module.iam", "managed", "aws_iam_role", "this", ["etl", "crawler", "analyst"]),
    ("module.lake.module.lambda", "managed", "aws_lambda_function", "etl", ["tweets", "users"]),
    ("module.lake.module.lambda", "managed", "aws_sqs_queue", "failures", [None]),
    ("module.lake.module.glue", "managed", "aws_glue_catalog_table", "this", ["users_v1"]),
    ("module.lake.module.glue", "managed", "aws_glue_crawler", "this", ["users_v1"]),
    ("module.lake.module.alarms", "managed", "aws_sns_topic", "alarms", [None]),
    ("module.lake.module.athena", "managed", "aws_athena_workgroup", "this", [None]),
]


def state_doc(resources=SINGLE_STATE) -> dict:
    """A tfstate v4 document with ``resources`` (each instance's attributes just an id)."""
    return {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 7,
        "lineage": "0b6f9e3e-1d2c-4c55-9a8e-3f1f7a0e0c11",
        "outputs": {},
        "resources": [
            {
                "module": module,
                "mode": mode,
                "type": rtype,
                "name": name,
                "provider": PROVIDER,
                "instances": [
                    {
                        **({"index_key": key} if key is not None else {}),
                        "schema_version": 0,
                        "attributes": {"id": f"{rtype}.{name}.{key}"},
                    }
                    for key in keys
                ],
            }
            for module, mode, rtype, name, keys in resources
        ],
        "check_results": None,
    }


def _lake_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = lake_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _dry_run_into_envs_aws(source: str, *extra: str) -> tuple[int, str, str]:
    """``lake infra migrate-state --dry-run`` from ``source`` into infra/envs/aws, state keys lake/<layer>.tfstate."""
    aws = str(CHECKOUT.infra / "envs" / "aws")
    backend = ("--backend-config", "bucket=tf-state", "--backend-config", "key=lake/{layer}.tfstate")
    return _lake_cli("infra", "migrate-state", "--from", source, "--to", aws, *backend, *extra, "--dry-run")


# --------------------------------------------------------------------------- the mapping


@pytest.mark.parametrize(
    ("old", "layer", "new"),
    [
        (
            'module.lake.module.s3.aws_s3_bucket.this["raw"]',
            "foundation",
            'module.foundation.module.s3.aws_s3_bucket.this["raw"]',
        ),
        (
            "module.lake.module.iam.data.aws_iam_policy_document.etl",
            "foundation",
            "module.foundation.module.iam.data.aws_iam_policy_document.etl",
        ),
        (
            'module.lake.module.lambda.aws_lambda_function.etl["users"]',
            "ingestion",
            'module.ingestion.module.lambda.aws_lambda_function.etl["users"]',
        ),
        (
            'module.lake.aws_lambda_permission.raw_invokes_etl["users"]',
            "ingestion",
            'module.ingestion.aws_lambda_permission.raw_invokes_etl["users"]',
        ),
        ("module.lake.aws_s3_bucket_notification.raw", "ingestion", "module.ingestion.aws_s3_bucket_notification.raw"),
        (
            'module.lake.module.glue.aws_glue_crawler.this["users_v1"]',
            "catalog",
            'module.catalog.module.glue.aws_glue_crawler.this["users_v1"]',
        ),
        (
            "module.lake.module.alarms.aws_sns_topic.alarms",
            "catalog",
            "module.catalog.module.alarms.aws_sns_topic.alarms",
        ),
        (
            "module.lake.module.athena.aws_athena_workgroup.this",
            "query",
            "module.query.module.athena.aws_athena_workgroup.this",
        ),
    ],
)
def test_each_part_maps_to_its_layer(old, layer, new):
    assert map_address(old) == (layer, new)


@pytest.mark.parametrize(
    "address",
    [
        "module.lake.data.aws_caller_identity.current",  # a data source of the root module: not moved
        "module.lake.module.s3x.aws_s3_bucket.this",  # a name that only starts like a known module
        "module.lake.aws_s3_bucket_notification.raw_copy",
        "aws_s3_bucket.extra",
        "module.foundation.module.s3.aws_s3_bucket.this",
    ],
)
def test_addresses_no_rule_covers(address):
    assert map_address(address) is None


def _parts(main_tf: Path, module: str) -> set[str]:
    """The module calls and resources a main.tf declares, as addresses inside ``module``."""
    doc = hcl2.loads(main_tf.read_text())
    bare = lambda name: name.strip('"')  # noqa: E731 (python-hcl2 >= 7 keeps the labels' quotes)
    parts = {f"{module}.module.{bare(name)}" for block in doc.get("module", []) for name in block}
    for block in doc.get("resource", []):
        for rtype, named in block.items():
            parts |= {f"{module}.{bare(rtype)}.{bare(name)}" for name in named}
    return parts


def test_the_rules_cover_every_part_of_the_single_state_root_and_land_on_a_part_of_its_layer():
    """The mapping agrees with the HCL on both sides: each module call and resource of the frozen single-state
    root has a rule, and each rule's target is a module call or resource the layer module declares."""
    assert {rule.source for rule in RULES} == _parts(PRE_SPLIT_LAKE, "module.lake")
    for rule in RULES:
        declared = _parts(CHECKOUT.infra / "layers" / rule.layer / "main.tf", f"module.{rule.layer}")
        assert rule.target in declared, f"{rule.target}: not declared in infra/layers/{rule.layer}/main.tf"


@pytest.mark.parametrize("env", ["aws", "local"])
def test_each_layer_root_of_both_envs_calls_its_layer_module_as_the_rules_expect(env):
    for layer in LAYERS:
        root = CHECKOUT.infra / "envs" / env / layer / "main.tf"
        assert f"root.module.{layer}" in _parts(root, "root"), f"{root}: no module {layer!r}"


def test_plan_of_a_single_state_lake():
    migration = plan_migration(state_doc(), "old.tfstate")
    assert [rule.source for rule in migration.moves] == [rule.source for rule in RULES]
    assert migration.layers() == list(LAYERS)
    assert migration.left_behind == ("module.lake.data.aws_caller_identity.current",)
    assert migration.instances == {"foundation": 6, "ingestion": 6, "catalog": 3, "query": 1}
    assert migration.expected("query") == {"module.query.module.athena.aws_athena_workgroup.this"}
    assert "module.foundation.module.iam.data.aws_iam_policy_document.etl" in migration.expected("foundation")


def test_only_the_parts_present_are_moved():
    doc = state_doc([r for r in SINGLE_STATE if r[0] in ("module.lake.module.s3", "module.lake.module.athena")])
    migration = plan_migration(doc, "old.tfstate")
    assert [rule.layer for rule in migration.moves] == ["foundation", "query"]
    assert migration.layers() == ["foundation", "query"]


def test_dry_run_commands_are_the_by_hand_path():
    commands = state_mv_commands(plan_migration(state_doc(), "old.tfstate"))
    assert commands[0] == (
        "terraform state mv -state=old.tfstate -state-out=foundation.tfstate "
        "module.lake.module.s3 module.foundation.module.s3"
    )
    assert len(commands) == len(RULES)


# --------------------------------------------------------------------------- refusals


def test_refuses_a_resource_no_layer_takes():
    doc = state_doc([*SINGLE_STATE, ("module.lake", "managed", "aws_s3_object", "readme", [None])])
    with pytest.raises(
        MigrationError, match=r"old.tfstate: 1 resource\(s\) no layer takes: module.lake.aws_s3_object.readme"
    ):
        plan_migration(doc, "old.tfstate")


def test_refuses_a_state_that_is_already_a_layer():
    doc = state_doc([("module.foundation.module.s3", "managed", "aws_s3_bucket", "this", ["raw"])])
    with pytest.raises(MigrationError, match=r"not a single-state lake \(it holds layer resources \(foundation\)"):
        plan_migration(doc, "foundation.tfstate")


def test_refuses_an_empty_state():
    with pytest.raises(MigrationError, match=r"not a single-state lake \(no module.lake resources"):
        plan_migration(state_doc([]), "empty.tfstate")


def test_refuses_what_is_not_a_state():
    with pytest.raises(StateError, match=r"x\.json: not a Terraform state"):
        plan_migration({"hello": 1}, "x.json")


def test_backend_configs_name_each_layer():
    configs = backend_configs(["bucket=tf-state", "key=lake/{layer}.tfstate", "region=eu-west-1"])
    assert configs["catalog"] == {"bucket": "tf-state", "key": "lake/catalog.tfstate", "region": "eu-west-1"}
    assert list(configs) == list(LAYERS)
    assert backend_configs([]) == {layer: {} for layer in LAYERS}  # terraform's default: a state per root dir


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["bucket=tf-state", "key=lake/terraform.tfstate"], "every layer would share one state"),
        (["key"], "expected KEY=VALUE"),
        (["=lake/{layer}.tfstate"], "expected KEY=VALUE"),
    ],
)
def test_backend_configs_refused(settings, message):
    with pytest.raises(MigrationError, match=message):
        backend_configs(settings)


# --------------------------------------------------------------------------- the command


def test_cli_dry_run_prints_the_moves_and_writes_nothing(tmp_path):
    old = tmp_path / "terraform.tfstate"
    old.write_text(json.dumps(state_doc()))
    before = set(tmp_path.iterdir())
    code, out, err = _dry_run_into_envs_aws(str(old))
    assert code == 0, err
    assert "module.lake.module.glue -> module.catalog.module.glue" in out
    assert "module.lake.data.aws_caller_identity.current: a data source" in out
    assert "terraform state mv -state=old.tfstate -state-out=query.tfstate module.lake.module.athena" in out
    catalog = CHECKOUT.infra / "envs" / "aws" / "catalog"
    assert (
        f"terraform -chdir={catalog} init -backend-config=bucket=tf-state -backend-config=key=lake/catalog.tfstate"
        in out
    )
    assert f"terraform -chdir={catalog} state push catalog.tfstate" in out
    assert set(tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    ("state", "to", "message"),
    [
        ("missing", "envs/local", "no such state file"),
        ("layer", "envs/local", "not a single-state lake"),
        ("single", "layers/query", "layers/query: a single Terraform root"),
    ],
)
def test_cli_refusals_are_one_line_exit_2(tmp_path, state, to, message):
    path = tmp_path / "old.tfstate"
    if state == "single":
        path.write_text(json.dumps(state_doc()))
    elif state == "layer":
        path.write_text(
            json.dumps(state_doc([("module.query.module.athena", "managed", "aws_athena_workgroup", "this", [None])]))
        )
    code, _out, err = _lake_cli(
        "infra", "migrate-state", "--from", str(path), "--to", str(CHECKOUT.infra / to), "--dry-run"
    )
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@pytest.mark.slow
def test_migrate_moves_and_pushes_into_local_backends_and_refuses_a_full_layer(tmp_path):
    """Real ``terraform state mv`` and ``state push`` (no AWS needed): every resource lands in its layer's
    backend, one layer's empty state (an earlier init) is filled, the old state is not touched, and a second
    migration into the now full layers is refused before anything is moved."""
    old = tmp_path / "old.tfstate"
    old.write_text(json.dumps(state_doc(), indent=2))
    old_hash = hashlib.sha256(old.read_bytes()).hexdigest()
    states = tmp_path / "states"
    states.mkdir()
    empty = state_doc([]) | {"lineage": "5d7c1b0e-0000-4000-8000-000000000001", "serial": 3}
    (states / "catalog.tfstate").write_text(json.dumps(empty))
    settings = [f"path={states}/{{layer}}.tfstate"]
    lines: list[str] = []
    result = migrate(str(old), CHECKOUT.infra / "envs" / "local", settings, out=lines.append)
    assert result.pushed == {"foundation": 4, "ingestion": 4, "catalog": 3, "query": 1}
    for layer in LAYERS:
        doc = json.loads((states / f"{layer}.tfstate").read_text())
        addresses = {r["module"] + "." + r["type"] for r in doc["resources"]}
        assert all(a.startswith(f"module.{layer}.") for a in addresses), (layer, addresses)
    catalog = json.loads((states / "catalog.tfstate").read_text())
    assert catalog["lineage"] == empty["lineage"] and catalog["serial"] > empty["serial"]
    lambdas = next(r for r in json.loads((states / "ingestion.tfstate").read_text())["resources"] if r["name"] == "etl")
    assert [i["index_key"] for i in lambdas["instances"]] == ["tweets", "users"]
    assert hashlib.sha256(old.read_bytes()).hexdigest() == old_hash
    assert any("keep it as the backup" in line for line in lines)

    with pytest.raises(MigrationError, match=r"layer foundation .*: its state already has 4 resource\(s\)"):
        migrate(str(old), CHECKOUT.infra / "envs" / "local", settings, out=lines.append)
    assert hashlib.sha256(old.read_bytes()).hexdigest() == old_hash


def test_cli_reads_the_old_state_from_s3_and_never_writes_it():
    from moto import mock_aws

    with mock_aws():
        import boto3

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="tf-state")
        body = json.dumps(state_doc()).encode()
        s3.put_object(Bucket="tf-state", Key="lake/terraform.tfstate", Body=body)
        code, out, err = _dry_run_into_envs_aws("s3://tf-state/lake/terraform.tfstate", "--region", "us-east-1")
        assert code == 0, err
        assert "s3://tf-state/lake/terraform.tfstate: 16 managed resource instance(s)" in out
        versions = s3.list_object_versions(Bucket="tf-state").get("Versions", [])
        assert [v["Key"] for v in versions] == ["lake/terraform.tfstate"]
        assert s3.get_object(Bucket="tf-state", Key="lake/terraform.tfstate")["Body"].read() == body
