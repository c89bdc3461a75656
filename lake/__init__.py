"""Shared plumbing for the lake harness: the ``lake`` command, the Terraform runner, the local AWS endpoint."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
INFRA_DIR = REPO_ROOT / "infra"
LOCAL_ENV_DIR = INFRA_DIR / "envs" / "local"
AWS_ENV_DIR = INFRA_DIR / "envs" / "aws"
DIST_DIR = REPO_ROOT / "dist"
