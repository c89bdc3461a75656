from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.aws_glue_catalog_table import table_attributes
from drift.adapters.aws_glue_crawler import crawler_attributes
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


@register
class GlueCatalogDatabase(Adapter):
    type = "aws_glue_catalog_database"
    service = "glue"
    api = "glue:GetDatabase; glue:GetTables and glue:GetCrawlers (shared, for unmanaged tables and crawlers)"
    compares = (
        "description, location_uri, parameters; unmanaged: tables and crawlers in a managed database, crawlers "
        "named <prefix>-*"
    )

    def read(self, aws, resource):
        name = resource.attributes.get("name") or resource.id.split(":")[-1]
        live = call_or_none(aws.client("glue").get_database, Name=name)
        if live is None:
            return None
        db = live.get("Database", {})
        return {
            "name": name,
            "description": db.get("Description", ""),
            "location_uri": db.get("LocationUri", ""),
            "parameters": db.get("Parameters", {}),
        }

    def unmanaged(self, aws, scope: Scope):
        tables = {
            (r.attributes.get("database_name"), r.attributes.get("name"))
            for r in scope.of_type("aws_glue_catalog_table")
        }
        crawlers = scope.values("aws_glue_crawler", "name")
        for resource in scope.of_type(self.type):
            database = resource.attributes.get("name")
            for name, table in sorted((aws.glue_tables(database) or {}).items()):
                if (database, name) in tables:
                    continue
                yield Unmanaged(
                    type="aws_glue_catalog_table",
                    id=f"{resource.attributes.get('catalog_id', '')}:{database}:{name}".lstrip(":"),
                    attributes={"id": f"{database}:{name}", **table_attributes(table)},
                    description=f"table {name} in managed database {database} is in no state",
                    delete_command=f"aws glue delete-table --database-name {database} --name {name}",
                    parent=resource.address,
                )
            for name, crawler in sorted(aws.glue_crawlers().items()):
                if crawler.get("DatabaseName") != database or name in crawlers:
                    continue
                yield Unmanaged(
                    type="aws_glue_crawler",
                    id=name,
                    attributes={"id": name, **crawler_attributes(crawler)},
                    description=f"crawler {name} writes to managed database {database} but is in no state",
                    delete_command=f"aws glue delete-crawler --name {name}",
                    parent=resource.address,
                )
        databases = scope.values(self.type, "name")
        for name, crawler in sorted(aws.glue_crawlers().items()) if scope.name_prefix else ():
            if (
                name in crawlers
                or crawler.get("DatabaseName") in databases
                or not name.startswith(f"{scope.name_prefix}-")
            ):
                continue
            yield Unmanaged(
                type="aws_glue_crawler",
                id=name,
                attributes={"id": name, **crawler_attributes(crawler)},
                description=f"crawler {name} carries the lake's name prefix but is in no state",
                delete_command=f"aws glue delete-crawler --name {name}",
            )
