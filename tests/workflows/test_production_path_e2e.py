"""The production path, run here: the harness pip-installed (not editable) into a fresh venv, ``infra/envs/aws``
(four layer roots, one S3 state object each) unchanged, and the steps of ``.github/workflows/merge-gate.yml`` and
``drift-nightly.yml`` run in order against the local endpoint.

Each job runs in a fresh copy of the checkout (as each job's ``actions/checkout`` is). The ``uses:`` steps are
stood in for (``workflow_runner``): the fresh venv for setup-python, the installed terraform with the offline
provider mirror for setup-terraform, STS AssumeRole on the local endpoint for configure-aws-credentials, a
directory for artifacts, a SARIF 2.1.0 check for upload-sarif. What the repository settings hold is set here: the
``vars`` and ``infra/envs/aws/lake.tfvars`` (committed in a real repository, per merge-gate.yml's header).

Deliberately not run: the merge gate's ``tox`` job (it is ``bash .ci/run``, the suite this test is part of) and
the ``production`` environment's manual approval (GitHub's, not the workflow's).

moto is more lenient than AWS: it does not evaluate trust or identity policies, so the assumed roles' rights are
not enforced here (the policy gate's DRIFT-READER-READ-ONLY check judges them); the identity each job assumed is
checked instead.

A new lake starts as ``infra/envs/aws/README.md`` says: foundation applied once by hand (the query layer reads
foundation's KMS key at plan time, so it cannot be planned before foundation exists). The tests share one lake and
run in file order: bootstrap, plan, apply (the three layers with changes), a Lambda-only change (planned and applied
as ingestion alone), drift, the seeded violation, then destroy in reverse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import boto3
import pytest

from drift.state import parse_state
from handler.build import LAMBDA_PLATFORM, LAMBDA_PYTHON, pinned_pyarrow
from lake.local_aws import LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LocalAWS
from lake.terraform import Terraform, find_plugin_mirror, mirror_cli_config
from lake.workspace import resolve
from policies.checks import all_checks

sys.path.insert(0, str(Path(__file__).parent))

from workflow_runner import (
    Runner,
    checkout_stand_in,
    credentials_stand_in,
    download_artifact_stand_in,
    python_stand_in,
    terraform_stand_in,
    upload_artifact_stand_in,
    upload_sarif_stand_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHECKOUT = resolve(Path(__file__).parent)
WORKFLOWS = Path(".github") / "workflows"
PREFIX = "lake-ci"
STATE_BUCKET = "tfstate-lake-ci"  # not under the lake's prefix: drift would report it as an unmanaged lake bucket
STATE_KEY_PREFIX = "lake"
REGION = "us-east-1"
LAYERS = ("foundation", "ingestion", "catalog", "query")
TFVARS = f"""aws_region          = "{REGION}"
allowed_account_ids = ["{LOCAL_ACCOUNT_ID}"]
name_prefix         = "{PREFIX}"
datasets = {{
  users  = {{ versions = [1] }}
  tweets = {{ versions = [1] }}
}}
state_bucket_name = "{STATE_BUCKET}"
state_key_prefix  = "{STATE_KEY_PREFIX}"
"""
GITHUB = {"event_name": "push", "ref": "refs/heads/main", "repository": "acme/lake"}


def repository_files(root: Path) -> list[str]:
    """What a fresh clone holds: the tracked files plus new ones not ignored (the working tree under test)."""
    proc = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(p for p in proc.stdout.split("\0") if p and (root / p).is_file())


class ProductionPath:
    """The machine the workflows run on: the endpoint, the fresh venv, the repository settings, the runners."""

    def __init__(self, base: Path, aws: LocalAWS) -> None:
        self.base, self.aws = base, aws
        self.files = repository_files(CHECKOUT.root)
        self.venv = base / "venv"
        self.wheelhouse = base / "wheelhouse"
        self.identities: list[dict] = []
        self.sarifs: list[dict] = []
        self.copies = 0
        self.variables = {
            "AWS_REGION": REGION,
            "TF_STATE_BUCKET": STATE_BUCKET,
            "TF_STATE_KEY_PREFIX": STATE_KEY_PREFIX,
            "AWS_PLAN_ROLE_ARN": self.role("github-plan"),
            "AWS_APPLY_ROLE_ARN": self.role("github-apply"),
        }
        self.env = self._machine_env()

    # ------------------------------------------------------------------ setup

    def role(self, name: str) -> str:
        return f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:role/{name}"

    def bootstrap_account(self) -> None:
        """What exists before the lake: the state bucket (versioned) and the CI roles the workflows assume."""
        s3 = self.aws.client("s3")
        s3.create_bucket(Bucket=STATE_BUCKET)
        s3.put_bucket_versioning(Bucket=STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": LOCAL_ACCOUNT_ID}, "Action": "sts:AssumeRole"}],
        }
        iam = self.aws.client("iam")
        for name in ("github-plan", "github-apply"):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))

    def prepare_python(self) -> None:
        """A fresh venv holding the harness's dependencies but not the harness (the workflow's pip step installs
        it), and a wheelhouse (setuptools to build it, the Lambda's pyarrow wheel) so pip runs without an index."""
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        project = tomllib.loads((CHECKOUT.root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        requirements = [*project["dependencies"], *project["optional-dependencies"]["local"]]
        uv = shutil.which("uv") or _uv_from_package()
        python = str(self.venv / "bin" / "python")
        if uv:
            subprocess.run([uv, "pip", "install", "--quiet", "--python", python, *requirements], check=True)
        else:
            subprocess.run([python, "-m", "pip", "install", "--quiet", *requirements], check=True)
        self.wheelhouse.mkdir()
        subprocess.run(
            [python, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(self.wheelhouse), "setuptools>=69"],
            check=True,
        )
        write_stand_in_layer_wheel(self.wheelhouse, pinned_pyarrow())

    def _machine_env(self) -> dict[str, str]:
        terraform = shutil.which("terraform")
        assert terraform, "terraform is not on PATH"
        env = {
            "PATH": os.pathsep.join([str(Path(terraform).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": os.environ.get("HOME", str(self.base)),
            "LANG": "C.UTF-8",
            # The local endpoint is this machine's AWS; credentials come only from configure-aws-credentials.
            "AWS_ENDPOINT_URL": self.aws.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(self.wheelhouse),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        for key in ("SSL_CERT_FILE", "SSL_CERT_DIR", "TF_PLUGIN_CACHE_DIR"):
            if key in os.environ:
                env[key] = os.environ[key]
        return env

    def cli_config(self) -> Path | None:
        mirror = find_plugin_mirror()
        if mirror is None:
            if "TF_CLI_CONFIG_FILE" in os.environ:
                self.env["TF_CLI_CONFIG_FILE"] = os.environ["TF_CLI_CONFIG_FILE"]
            return None
        path = self.base / "terraform.tfrc"
        path.write_text(mirror_cli_config(mirror), encoding="utf-8")
        return path

    # ------------------------------------------------------------------ jobs

    def fresh_checkout(self, label: str, change=None) -> Path:
        """A copy of the repository as a job's checkout sees it, with the repository's committed tfvars."""
        self.copies += 1
        dest = self.base / f"checkout-{self.copies}-{label}"
        for rel in self.files:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CHECKOUT.root / rel, target)
        (dest / "infra" / "envs" / "aws" / "lake.tfvars").write_text(TFVARS, encoding="utf-8")
        if change is not None:
            change(dest)
        return dest

    def runner(self, workflow: str, artifacts: str, checkout: Path | None = None, **variables: str) -> Runner:
        source = (checkout or CHECKOUT.root) / WORKFLOWS / workflow
        sts = lambda env: boto3.client(  # noqa: E731
            "sts",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env["AWS_REGION"],
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],  # the OIDC token's stand-in
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        stand_ins = {
            "actions/checkout": checkout_stand_in,
            "actions/setup-python": python_stand_in(self.venv),
            "hashicorp/setup-terraform": terraform_stand_in(self.cli_config()),
            "aws-actions/configure-aws-credentials": credentials_stand_in(sts, self.identities),
            "github/codeql-action/upload-sarif": upload_sarif_stand_in(self.sarifs),
            "actions/upload-artifact": upload_artifact_stand_in,
            "actions/download-artifact": download_artifact_stand_in,
        }
        runner = Runner(
            source, self.env, {**self.variables, **variables}, GITHUB, stand_ins, self.base / "artifacts" / artifacts
        )
        if "tox" in runner.doc["jobs"]:
            runner.given("tox", "it is `bash .ci/run`, the suite this test is part of")
        return runner

    # ------------------------------------------------------------------ reading the result

    def state_object(self, layer: str) -> tuple[str, bytes]:
        obj = self.aws.client("s3").get_object(Bucket=STATE_BUCKET, Key=f"{STATE_KEY_PREFIX}/{layer}.tfstate")
        return obj.get("VersionId", ""), obj["Body"].read()

    def state_objects(self) -> dict[str, tuple[str, bytes]]:
        return {layer: self.state_object(layer) for layer in LAYERS}

    def state(self, layer: str) -> dict:
        return json.loads(self.state_object(layer)[1])

    def terraform(self, checkout: Path, layer: str) -> Terraform:
        """Terraform in a layer root of ``checkout`` as an operator runs it (credentials of the account)."""
        env = {**self.env, **LOCAL_CREDENTIALS, "AWS_REGION": REGION}
        config = self.cli_config()
        if config is not None:
            env["TF_CLI_CONFIG_FILE"] = str(config)
        return Terraform(checkout / "infra" / "envs" / "aws" / layer, env=env)

    def backend_config(self, layer: str) -> dict[str, str]:
        return {"bucket": STATE_BUCKET, "key": f"{STATE_KEY_PREFIX}/{layer}.tfstate", "region": REGION}

    def run_in_venv(self, checkout: Path, *argv: str) -> subprocess.CompletedProcess:
        env = {**self.env, "PATH": f"{self.venv / 'bin'}{os.pathsep}{self.env['PATH']}"}
        return subprocess.run(argv, cwd=checkout, env=env, capture_output=True, text=True, timeout=600)


def write_stand_in_layer_wheel(directory: Path, version: str) -> Path:
    """A small wheel named as the Lambda's pyarrow wheel, in the wheelhouse pip downloads it from: `lake build`
    packages it into the layer as it would the real one (53 MB that moto cannot run, and that would make each job's
    build and apply minutes longer). The real layer is built and measured in tests/handler/test_build.py."""
    tag = f"cp{LAMBDA_PYTHON.replace('.', '')}"
    path = directory / f"pyarrow-{version}-{tag}-{tag}-{LAMBDA_PLATFORM}.whl"
    info = f"pyarrow-{version}.dist-info"
    files = {
        "pyarrow/__init__.py": f'__version__ = "{version}"  # stand-in for the Lambda layer in a test\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: pyarrow\nVersion: {version}\n",
        f"{info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: lake-tests\nRoot-Is-Purelib: false\nTag: {tag}-{tag}-{LAMBDA_PLATFORM}\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def _uv_from_package() -> str | None:
    try:
        import uv
    except ImportError:
        return None
    return uv.find_uv_bin()


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    aws = LocalAWS.start()
    try:
        path = ProductionPath(tmp_path_factory.mktemp("production"), aws)
        path.bootstrap_account()
        path.prepare_python()
        path.merge_gate = path.runner("merge-gate.yml", "merge-gate")
        path.checkouts = {}
        yield path
    finally:
        aws.stop()


def report_times(result) -> None:
    for step in result.steps:
        print(f"{step.seconds:6.1f}s {step.status:8} {step.label}")


def managed_addresses(state: dict) -> set[str]:
    return {r.address for r in parse_state(state, "state")}


def layer_plan(checkout: Path, layer: str) -> dict:
    return json.loads((checkout / "infra" / "envs" / "aws" / layer / "plan.json").read_text())


def changed_layers(checkout: Path) -> list[str]:
    return (checkout / "infra" / "envs" / "aws" / "changed-layers").read_text().split()


def plan_arguments(root: str = "infra/envs/aws") -> list[str]:
    return [arg for layer in LAYERS for arg in ("--plan", f"{root}/{layer}/plan.json")]


def test_a_new_lake_starts_with_foundation_applied_by_hand_as_the_readme_says(prod):
    """infra/envs/aws/README.md, 'A new lake': the gate on the HCL, then foundation applied once; the query layer
    reads foundation's KMS key at plan time, so it cannot be planned before."""
    checkout = prod.checkouts["bootstrap"] = prod.fresh_checkout("bootstrap")
    for step in (("python", "-m", "pip", "install", "--quiet", ".[local]"), ("lake", "build")):  # README steps 3
        done = prod.run_in_venv(checkout, *step)
        assert done.returncode == 0, done.stdout + done.stderr
    gate = prod.run_in_venv(checkout, "lake", "policy", "check", "--infra", "infra/envs/aws")
    assert gate.returncode == 0, gate.stdout + gate.stderr
    tf = prod.terraform(checkout, "foundation")
    try:
        tf.init(backend_config=prod.backend_config("foundation"))
        tf.run("apply", "-input=false", "-no-color", "-auto-approve", "-var-file=../lake.tfvars")
    finally:
        tf.close()
    assert managed_addresses(prod.state("foundation"))
    assert all(a.startswith("module.foundation.") for a in managed_addresses(prod.state("foundation")))


def test_plan_job_plans_every_layer_and_gates_them_as_one_lake_with_the_installed_harness(prod):
    checkout = prod.checkouts["plan"] = prod.fresh_checkout("plan")
    result = prod.merge_gate.run_job("plan", checkout)
    report_times(result)
    assert result.ok, result.reason
    for layer in LAYERS:
        assert (checkout / "infra" / "envs" / "aws" / layer / "tfplan").is_file()
        addresses = {c["address"] for c in layer_plan(checkout, layer)["resource_changes"]}
        assert addresses and all(a.startswith(f"module.{layer}.") for a in addresses), layer
    # foundation exists already (bootstrap) and has nothing to do: only the three new layers are marked for apply
    assert changed_layers(checkout) == ["ingestion", "catalog", "query"]
    (sarif,) = prod.sarifs
    assert sarif["category"] == "lake-policy" and sarif["sarif"]["runs"][0]["results"] == []
    inputs = ", ".join(f"plan infra/envs/aws/{layer}/plan.json" for layer in LAYERS)
    gate = result.step("policy gate on the four plans (one lake)").output
    assert f"PASS: {len(all_checks())} checks on {inputs}" in " ".join(gate.split()), gate
    assert prod.identities[-1]["role"] == prod.variables["AWS_PLAN_ROLE_ARN"]
    # lake build wrote dist/ into the checkout, from the checkout's handler/
    assert (checkout / "dist" / "handler.zip").is_file() and (checkout / "dist" / "pyarrow-layer.zip").is_file()
    # the gate job needs the local gate (tox, i.e. this suite); that job is the one not run here
    assert prod.merge_gate.doc["jobs"]["plan"]["needs"] == "tox"
    assert [s["run"] for s in prod.merge_gate.doc["jobs"]["tox"]["steps"] if "run" in s] == ["bash .ci/run"]


def test_the_installed_harness_is_not_editable_and_works_from_the_checkout_root(prod):
    checkout = prod.checkouts["plan"]
    # from outside the checkout: `python -c` puts the working directory first on sys.path, `lake` does not
    where = prod.run_in_venv(prod.base, "python", "-c", "import lake, policies; print(lake.__file__)")
    assert where.returncode == 0, where.stderr
    assert "site-packages" in where.stdout and str(checkout) not in where.stdout
    (direct_url,) = (prod.venv / "lib").glob("python3*/site-packages/lake_harness-*.dist-info/direct_url.json")
    assert not json.loads(direct_url.read_text()).get("dir_info", {}).get("editable", False)
    site = direct_url.parent.parent
    # the wheel carries the tool's own data files and nothing of the repository
    for data in (
        "policies/data/aws_managed_policies.json",
        "policies/checkov/config.yaml",
        "drift/templates/report.html",
    ):
        assert (site / data).is_file(), data
    assert not (site / "infra").exists() and not (site / "dist").exists()
    assert not list(site.glob("contracts/**/*.json")) and not list(site.glob("handler/*.zip"))
    version = prod.run_in_venv(checkout, "lake", "--version")
    assert version.returncode == 0 and version.stdout.startswith("lake 0."), version.stderr
    hcl = prod.run_in_venv(checkout, "lake", "policy", "check")
    assert hcl.returncode == 0, hcl.stdout + hcl.stderr
    assert f"HCL {checkout / 'infra' / 'envs' / 'local'}" in hcl.stdout
    on_plans = prod.run_in_venv(checkout, "lake", "policy", "check", *plan_arguments())
    assert on_plans.returncode == 0, on_plans.stdout + on_plans.stderr


def test_apply_job_applies_exactly_the_reviewed_plans_of_the_changed_layers_in_order(prod):
    foundation_before = prod.state_object("foundation")
    checkout = prod.checkouts["apply"] = prod.fresh_checkout("apply")
    result = prod.merge_gate.run_job("apply", checkout)
    report_times(result)
    assert result.ok, result.reason
    reviewed = prod.checkouts["plan"] / "infra" / "envs" / "aws"
    applied = checkout / "infra" / "envs" / "aws"
    output = result.step("terraform apply of the reviewed plans (layers with changes, in order)").output
    assert "foundation: no changes, not applied" in output
    assert output.count("Apply complete!") == 3
    assert output.index("apply ingestion") < output.index("apply catalog") < output.index("apply query")
    assert prod.state_object("foundation") == foundation_before  # not applied: same object version, same bytes
    for layer in ("ingestion", "catalog", "query"):
        assert (applied / layer / "tfplan").read_bytes() == (reviewed / layer / "tfplan").read_bytes()
        planned = {
            c["address"]
            for c in layer_plan(prod.checkouts["plan"], layer)["resource_changes"]
            if c["mode"] == "managed" and "create" in c["change"]["actions"]
        }
        assert managed_addresses(prod.state(layer)) == planned, layer
        backend = json.loads((applied / layer / ".terraform" / "terraform.tfstate").read_text())["backend"]
        assert backend["type"] == "s3"
        assert backend["config"]["key"] == f"{STATE_KEY_PREFIX}/{layer}.tfstate"
        assert backend["config"]["bucket"] == STATE_BUCKET and backend["config"]["use_lockfile"] is True
    assert prod.identities[-1]["role"] == prod.variables["AWS_APPLY_ROLE_ARN"]


def a_lambda_change(checkout: Path) -> None:
    """A change to the handler's code only: a new handler.zip, nothing else."""
    app = checkout / "handler" / "app.py"
    app.write_text(app.read_text(encoding="utf-8") + "\n# a Lambda-only change\n", encoding="utf-8")


def test_a_lambda_change_plans_and_applies_the_ingestion_layer_alone(prod):
    before = prod.state_objects()
    gate = prod.runner("merge-gate.yml", "lambda-change")
    plan_checkout = prod.fresh_checkout("lambda-plan", change=a_lambda_change)
    plan = gate.run_job("plan", plan_checkout)
    assert plan.ok, plan.reason
    assert changed_layers(plan_checkout) == ["ingestion"]
    changes = layer_plan(plan_checkout, "ingestion")["resource_changes"]
    touched = {c["address"] for c in changes if c["change"]["actions"] != ["no-op"]}
    assert touched and all(a.startswith("module.ingestion.") for a in touched), touched
    for layer in ("foundation", "catalog", "query"):
        assert all(
            c["change"]["actions"] in (["no-op"], ["read"])
            for c in layer_plan(plan_checkout, layer)["resource_changes"]
        )
    apply = gate.run_job("apply", prod.fresh_checkout("lambda-apply", change=a_lambda_change))
    assert apply.ok, apply.reason
    output = apply.step("terraform apply of the reviewed plans (layers with changes, in order)").output
    assert output.count("Apply complete!") == 1
    after = prod.state_objects()
    assert after["ingestion"] != before["ingestion"]
    for layer in ("foundation", "catalog", "query"):  # the blast radius: their state objects are untouched
        assert after[layer] == before[layer], layer


def test_drift_job_assumes_drift_reader_reads_the_four_state_objects_and_reports_clean(prod):
    drift_reader = prod.state("foundation")["outputs"]["role_arns"]["value"]["drift-reader"]
    assert drift_reader == prod.role(f"{PREFIX}-drift-reader")
    checkout = prod.fresh_checkout("drift")
    result = prod.runner("drift-nightly.yml", "drift", AWS_DRIFT_READER_ROLE_ARN=drift_reader).run_job(
        "drift", checkout
    )
    assert result.ok, result.reason
    identity = prod.identities[-1]
    assert identity["role"] == drift_reader and identity["arn"].endswith(f"{PREFIX}-drift-reader/lake-drift-nightly")
    assert "no drift" in result.step("verdict").output
    report = json.loads((checkout / "reports" / "drift.json").read_text())
    assert report["sources"] == [f"s3://{STATE_BUCKET}/{STATE_KEY_PREFIX}/{layer}.tfstate" for layer in LAYERS]
    summary = report["summary"]
    assert summary["resources"] == sum(len(managed_addresses(prod.state(layer))) for layer in LAYERS) > 0
    assert (summary["deleted"], summary["changed"], summary["unmanaged"], summary["unknown"]) == (0, 0, 0, 0)
    markdown = (checkout / "reports" / "drift.md").read_text()
    assert markdown and markdown in result.summary
    assert (checkout / "reports" / "drift.html").read_text().lstrip().lower().startswith("<!doctype html")


def raw_versioning_suspended(checkout: Path) -> None:
    s3 = checkout / "infra" / "modules" / "s3" / "main.tf"
    text = s3.read_text()
    assert text.count('status = "Enabled"') == 1
    s3.write_text(text.replace('status = "Enabled"', 'status = "Suspended"'))


def test_a_seeded_violation_stops_the_apply_and_leaves_every_state_untouched(prod):
    before = prod.state_objects()
    gate = prod.runner("merge-gate.yml", "seeded")
    plan = gate.run_job("plan", prod.fresh_checkout("seeded", change=raw_versioning_suspended))
    assert plan.status == "failure"
    assert plan.reason.startswith("merge-gate / plan / policy gate on the four plans (one lake): exit 1\n"), plan.reason
    assert "[foundation]" in plan.reason or "module.foundation." in plan.reason  # the finding names its layer
    assert "RAW-VERSIONING" in plan.reason
    assert plan.step("upload SARIF to code scanning").status == "success"  # if: always()
    assert any(r["ruleId"] == "RAW-VERSIONING" for r in prod.sarifs[-1]["sarif"]["runs"][0]["results"])
    assert plan.step("keep the reviewed plans").status == "skipped"
    apply = gate.run_job("apply", prod.fresh_checkout("seeded-apply"))
    assert apply.status == "skipped" and apply.steps == [], apply
    assert "needs ['plan'] did not succeed" in apply.reason
    assert prod.state_objects() == before
    raw = prod.aws.client("s3").get_bucket_versioning(Bucket=f"{PREFIX}-raw")
    assert raw["Status"] == "Enabled"


def test_a_step_broken_on_purpose_fails_naming_the_step(prod):
    def break_install(checkout: Path) -> None:
        workflow = checkout / WORKFLOWS / "merge-gate.yml"
        text = workflow.read_text()
        assert text.count("run: python -m pip install '.[local]'") == 1
        workflow.write_text(text.replace("pip install '.[local]'", "pip install './no-such-dir[local]'"))

    checkout = prod.fresh_checkout("broken", change=break_install)
    result = prod.runner("merge-gate.yml", "broken", checkout=checkout).run_job("plan", checkout)
    assert result.status == "failure"
    assert result.reason.startswith("merge-gate / plan / install the harness: exit 1\n"), result.reason
    assert result.step("build the Lambda artifacts").status == "skipped"
    assert result.step("terraform plan of every layer (infra/envs/aws)").status == "skipped"


def test_envs_aws_is_destroyed_from_its_s3_states_in_reverse_order(prod):
    checkout = prod.checkouts["apply"]
    for layer in reversed(LAYERS):
        tf = prod.terraform(checkout, layer)
        try:
            tf.init(backend_config=prod.backend_config(layer))
            tf.run(
                "destroy", "-input=false", "-no-color", "-auto-approve", "-parallelism=20", "-var-file=../lake.tfvars"
            )
        finally:
            tf.close()
        assert managed_addresses(prod.state(layer)) == set(), layer
    assert not [b for b in prod.aws.client("s3").list_buckets()["Buckets"] if b["Name"].startswith(f"{PREFIX}-")]
