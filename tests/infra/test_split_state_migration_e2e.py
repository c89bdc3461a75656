"""A lake that runs as one Terraform state, migrated into the four layer states with ``lake infra migrate-state``.

The single-state root as released before the split (``tests/infra/pre_split``, frozen) is applied on its own moto
server and populated (a raw upload run through the ETL, so curated holds Parquet). The migration then moves its
state into the layer roots of ``infra/envs/local``, and ``terraform plan`` of every layer must destroy and create
nothing: the same AWS resources, now managed by four states. The data stays, the old state file is not touched
(it is the backup), and a second migration into the now full layers is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import uuid
from pathlib import Path

import pytest

from lake.cli import main as lake_main
from lake.deploy import LocalLake
from lake.dispatcher import LocalDispatcher
from lake.layers import LAYERS
from lake.local_aws import LocalAWS
from lake.samples import users_ndjson
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)  # this test file's checkout, wherever lake is installed
PRE_SPLIT = Path(__file__).parent / "pre_split"
NOT_COPIED = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*")

pytestmark = pytest.mark.e2e


def _lake_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = lake_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _objects(s3, bucket: str) -> dict[str, str]:
    """Key -> ETag of every object in ``bucket``."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            out[obj["Key"]] = obj["ETag"]
    return out


def _changes(plan: dict) -> dict[str, list[str]]:
    """Address -> actions of every resource the plan would change (no-op and read left out)."""
    return {
        rc["address"]: rc["change"]["actions"]
        for rc in plan.get("resource_changes", [])
        if rc["change"]["actions"] not in (["no-op"], ["read"])
    }


@pytest.fixture(scope="module")
def migrated(lake_artifacts, tmp_path_factory):
    """The single-state lake applied, populated and migrated, on an endpoint of its own (it dies with the test, so
    nothing is destroyed: destroying a layered lake is proven in test_layers_e2e.py)."""
    handler_zip, layer_zip = lake_artifacts
    source = tmp_path_factory.mktemp("migration-src")  # infra/ and contracts/ beside pre_split/, as its sources expect
    shutil.copytree(CHECKOUT.infra, source / "infra", symlinks=True, ignore=NOT_COPIED)
    shutil.copytree(CHECKOUT.contracts, source / "contracts", ignore=NOT_COPIED)
    shutil.copytree(PRE_SPLIT, source / "pre_split", ignore=NOT_COPIED)
    work = tmp_path_factory.mktemp("migration-work")
    variables = {"name_prefix": f"mig-{uuid.uuid4().hex[:8]}"}  # unique: no clash with another lake on one endpoint
    with LocalAWS.start() as aws:
        single = LocalLake(
            aws, work / "single", handler_zip, layer_zip, config_dir=source / "pre_split" / "local", variables=variables
        )
        single.init()
        outputs = single.apply()
        s3 = aws.client("s3")
        raw, curated = outputs["raw_bucket"], outputs["curated_bucket"]
        users, _ = users_ndjson(50, seed=14)
        s3.put_object(Bucket=raw, Key="incoming/users/2024/05/01/users.json", Body=users, IfNoneMatch="*")
        results = LocalDispatcher(aws, raw).poll_once()
        assert [r.ok for r in results] == [True], results
        before = {"raw": _objects(s3, raw), "curated": _objects(s3, curated)}
        assert any(key.endswith(".parquet") for key in before["curated"]), before
        old_state = single.state_path
        old_hash = _sha256(old_state)

        layered_dir = work / "layered"
        code, out, err = _lake_cli(
            "infra",
            "migrate-state",
            "--from",
            str(old_state),
            "--to",
            str(source / "infra" / "envs" / "local"),
            "--backend-config",
            f"path={layered_dir}/{{layer}}.tfstate",
        )
        assert code == 0, out + err
        layered = LocalLake(
            aws,
            layered_dir,
            handler_zip,
            layer_zip,
            config_dir=source / "infra" / "envs" / "local",
            variables=variables,
        )
        try:
            layered.init()
            yield {
                "aws": aws,
                "single": single,
                "layered": layered,
                "old_state": old_state,
                "old_hash": old_hash,
                "before": before,
                "outputs": outputs,
                "out": out,
                "source": source,
            }
        finally:
            layered.close()
            single.close()


def test_every_layer_plan_destroys_and_creates_nothing(migrated):
    layered: LocalLake = migrated["layered"]
    plans = layered.plan_jsons(bootstrap=False)
    assert list(plans) == list(LAYERS)
    for layer, plan in plans.items():
        managed = [rc for rc in plan["resource_changes"] if rc["mode"] == "managed"]
        assert managed, f"{layer}: the plan sees no resource (the state was not pushed)"
        changes = _changes(plan)
        replaced = {a: acts for a, acts in changes.items() if "delete" in acts or "create" in acts}
        assert not replaced, f"{layer}: the migration would destroy or create {replaced}"
        assert not changes, f"{layer}: in-place updates after the migration: {changes}"
        # the old root's outputs stay in the old state: each layer's own are new, and only they
        outputs = {name: oc["actions"] for name, oc in plan.get("output_changes", {}).items()}
        assert outputs and set(map(tuple, outputs.values())) == {("create",)}, (layer, outputs)


def test_the_first_apply_records_the_outputs_and_leaves_every_plan_empty(migrated):
    """The docs' verify step: after one apply of each layer (outputs only), every plan is empty, and the layers'
    outputs name the same resources the single state did."""
    layered: LocalLake = migrated["layered"]
    merged = layered.apply()
    assert layered.plan_exitcodes() == dict.fromkeys(LAYERS, 0)
    shared = set(merged) & set(migrated["outputs"])
    assert {"raw_bucket", "kms_key_arn", "role_arns", "functions", "tables", "athena_workgroup"} <= shared
    assert {k: merged[k] for k in shared} == {k: migrated["outputs"][k] for k in shared}


def test_each_layer_state_holds_its_part(migrated):
    states = migrated["layered"].states()
    for layer, state in states.items():
        modules = {r.get("module", "") for r in state["resources"]}
        assert modules and all(m.startswith(f"module.{layer}.") or m == f"module.{layer}" for m in modules), (
            layer,
            modules,
        )
    foundation = {r["type"] for r in states["foundation"]["resources"]}
    assert {"aws_s3_bucket", "aws_kms_key", "aws_iam_role"} <= foundation
    assert "aws_lambda_function" in {r["type"] for r in states["ingestion"]["resources"]}
    assert "aws_glue_crawler" in {r["type"] for r in states["catalog"]["resources"]}
    assert "aws_athena_workgroup" in {r["type"] for r in states["query"]["resources"]}


def test_the_data_is_still_there(migrated):
    s3 = migrated["aws"].client("s3")
    outputs = migrated["outputs"]
    after = {"raw": _objects(s3, outputs["raw_bucket"]), "curated": _objects(s3, outputs["curated_bucket"])}
    assert after == migrated["before"]


def test_the_old_state_is_unchanged(migrated):
    assert _sha256(migrated["old_state"]) == migrated["old_hash"]


def test_a_second_migration_into_full_layers_is_refused(migrated):
    code, _out, err = _lake_cli(
        "infra",
        "migrate-state",
        "--from",
        str(migrated["old_state"]),
        "--to",
        str(migrated["source"] / "infra" / "envs" / "local"),
        "--backend-config",
        f"path={migrated['layered'].workdir}/{{layer}}.tfstate",
    )
    assert code == 2
    assert "already has" in err and "foundation" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert _sha256(migrated["old_state"]) == migrated["old_hash"]


def test_a_lake_whose_state_is_in_s3_moves_into_the_s3_backends_of_envs_aws(migrated, monkeypatch):
    """The path a deployed lake takes: its one state object in the state bucket, moved into the four layer roots
    of ``infra/envs/aws`` and their S3 backend (``use_lockfile``), the command as the README gives it."""
    aws = migrated["aws"]
    s3 = aws.client("s3")
    bucket, old_key = f"state-{uuid.uuid4().hex[:8]}", "lake/terraform.tfstate"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = migrated["old_state"].read_bytes()
    s3.put_object(Bucket=bucket, Key=old_key, Body=old)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)  # boto3 and Terraform's S3 backend both honour it
    monkeypatch.setenv("AWS_REGION", aws.region)
    code, out, err = _lake_cli(
        "infra",
        "migrate-state",
        "--from",
        f"s3://{bucket}/{old_key}",
        "--to",
        str(migrated["source"] / "infra" / "envs" / "aws"),
        "--backend-config",
        f"bucket={bucket}",
        "--backend-config",
        "key=lake/{layer}.tfstate",
        "--backend-config",
        f"region={aws.region}",
    )
    assert code == 0, out + err
    local = {layer: _addresses(doc) for layer, doc in _migrated_files(migrated).items()}
    for layer in LAYERS:
        doc = json.loads(s3.get_object(Bucket=bucket, Key=f"lake/{layer}.tfstate")["Body"].read())
        assert _addresses(doc) == local[layer] and local[layer], layer  # as the local backends got it
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == sorted([old_key, *(f"lake/{layer}.tfstate" for layer in LAYERS)])  # no lock left
    versions = s3.list_object_versions(Bucket=bucket, Prefix=old_key)["Versions"]
    assert len(versions) == 1 and s3.get_object(Bucket=bucket, Key=old_key)["Body"].read() == old  # never written


def _addresses(doc: dict) -> set[str]:
    """Managed resources (an apply adds the layer roots' own data sources to a state)."""
    return {f"{r.get('module', '')}.{r['type']}.{r['name']}" for r in doc["resources"] if r["mode"] == "managed"}


def _migrated_files(migrated) -> dict[str, dict]:
    """The layer states the first migration made (into local backends; applied since, with nothing changed)."""
    return {layer: json.loads(path.read_text()) for layer, path in migrated["layered"].state_paths.items()}
