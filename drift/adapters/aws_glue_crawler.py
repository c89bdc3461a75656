from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import json_value
from drift.adapters.base import Adapter


def crawler_attributes(crawler: dict) -> dict:
    """A Glue ``Crawler`` as ``aws_glue_crawler`` attributes (the compared subset)."""
    targets = crawler.get("Targets", {})
    policy = crawler.get("SchemaChangePolicy", {})
    return {
        "name": crawler.get("Name"),
        "database_name": crawler.get("DatabaseName"),
        "role": crawler.get("Role"),
        "table_prefix": crawler.get("TablePrefix", ""),
        "schedule": (crawler.get("Schedule") or {}).get("ScheduleExpression", ""),
        "configuration": json_value(crawler.get("Configuration", "")),
        "s3_target": [
            {
                "path": t.get("Path"),
                "exclusions": list(t.get("Exclusions", [])),
            }
            for t in targets.get("S3Targets", [])
        ],
        "catalog_target": [
            {"database_name": t.get("DatabaseName"), "tables": list(t.get("Tables", []))}
            for t in targets.get("CatalogTargets", [])
        ],
        "schema_change_policy": [
            {"update_behavior": policy.get("UpdateBehavior"), "delete_behavior": policy.get("DeleteBehavior")}
        ]
        if policy
        else [],
        "recrawl_policy": [{"recrawl_behavior": crawler["RecrawlPolicy"].get("RecrawlBehavior")}]
        if crawler.get("RecrawlPolicy")
        else [],
    }


@register
class GlueCrawler(Adapter):
    type = "aws_glue_crawler"
    service = "glue"
    api = "glue:GetCrawlers (once for all crawlers)"
    compares = (
        "database_name, role, targets, schema_change_policy, recrawl_policy, schedule, table_prefix, configuration"
    )

    def read(self, aws, resource):
        crawler = aws.glue_crawlers().get(resource.attributes.get("name") or resource.id)
        return None if crawler is None else crawler_attributes(crawler)

    def canonical(self, attributes):
        out = dict(attributes)
        if "configuration" in out:
            out["configuration"] = json_value(out["configuration"])
        role = out.get("role")
        if isinstance(role, str) and role.startswith("arn:aws") and ":role/" in role:
            out["role"] = role.rsplit("/", 1)[-1]  # the API accepts and returns a name or an ARN
        return out
