from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def job_attributes(job: dict) -> dict:
    command = job.get("Command", {})
    return {
        "name": job.get("Name"),
        "role_arn": job.get("Role", ""),
        "command": [{"name": command.get("Name", ""), "script_location": command.get("ScriptLocation", "")}],
        "default_arguments": dict(job.get("DefaultArguments", {})),
    }


def in_scope(job: dict, prefix: str | None, databases: set[str]) -> bool:
    """A job is the lake's when it carries the name prefix or names a managed database in its arguments."""
    if prefix and str(job.get("Name", "")).startswith(f"{prefix}-"):
        return True
    return any(str(v) in databases for v in job.get("DefaultArguments", {}).values())


@register
class GlueJob(Adapter):
    type = "aws_glue_job"
    service = "glue"
    api = "glue:GetJob; glue:GetJobs (once, every job)"
    compares = "role_arn, command, default_arguments; unmanaged: jobs named <prefix>-* or naming a managed database"

    def read(self, aws, resource):
        live = call_or_none(aws.client("glue").get_job, JobName=resource.attributes.get("name") or resource.id)
        return None if live is None else job_attributes(live.get("Job", {}))

    def unmanaged(self, aws, scope: Scope):
        databases = scope.values("aws_glue_catalog_database", "name")
        if not databases and not scope.name_prefix:
            return
        managed = scope.values(self.type, "name")
        for page in aws.client("glue").get_paginator("get_jobs").paginate():
            for job in page.get("Jobs", []):
                name = job.get("Name")
                if name in managed or not in_scope(job, scope.name_prefix, databases):
                    continue
                yield Unmanaged(
                    type=self.type,
                    id=name,
                    attributes={"id": name, **job_attributes(job)},
                    description=f"Glue job {name} is in the lake's scope but in no state",
                    delete_command=f"aws glue delete-job --job-name {name}",
                )
