"""CRAWLER-NO-MUTATION: schema changes are logged, never applied to the declared table."""

import json

from policies.checks.base import Check
from policies.model import Unknown


def run(ctx):
    for c in ctx.model.of_type("aws_glue_crawler"):
        policies = c.block("schema_change_policy")
        if not policies:
            yield CHECK.finding(
                ctx, c.address, "crawler has no schema_change_policy: the default UPDATE_IN_DATABASE rewrites the table"
            )
            continue
        p = policies[0]
        update, delete = p.get("update_behavior"), p.get("delete_behavior")
        if isinstance(update, Unknown) or isinstance(delete, Unknown):
            yield CHECK.finding(ctx, c.address, "schema_change_policy cannot be decided before apply")
            continue
        if update != "LOG":
            yield CHECK.finding(
                ctx,
                c.address,
                f"schema_change_policy.update_behavior is {update or 'UPDATE_IN_DATABASE (default)'!r}, must be LOG",
            )
        if c.block("catalog_target"):
            if delete != "LOG":
                yield CHECK.finding(
                    ctx,
                    c.address,
                    f"schema_change_policy.delete_behavior is {delete or 'DEPRECATE_IN_DATABASE (default)'!r}: a "
                    "crawler with a catalog target requires LOG (AWS rejects anything else)",
                )
        elif delete is not None and delete not in ("LOG", "DEPRECATE_IN_DATABASE"):
            yield CHECK.finding(
                ctx,
                c.address,
                f"schema_change_policy.delete_behavior is {delete!r}, must be LOG or DEPRECATE_IN_DATABASE",
            )
        conf = c.get("configuration")
        if isinstance(conf, str) and conf:
            try:
                tables = json.loads(conf).get("CrawlerOutput", {}).get("Tables", {})
            except json.JSONDecodeError:
                tables = {}
            if tables.get("AddOrUpdateBehavior") == "MergeNewColumns":
                yield CHECK.finding(
                    ctx,
                    c.address,
                    "crawler configuration CrawlerOutput.Tables.AddOrUpdateBehavior = MergeNewColumns changes the declared schema",
                )


CHECK = Check(
    id="CRAWLER-NO-MUTATION",
    severity="high",
    group="Each service stays in its lane",
    title="Crawlers log schema changes and never apply them",
    rationale="The Glue table is declared from the contract; a crawler that updates it silently changes column types under Athena.",
    fix='Set schema_change_policy { update_behavior = "LOG", delete_behavior = "LOG" } on every crawler (LOG is the only delete behaviour a catalog target accepts).',
    run=run,
)
