"""`python -m services.common.migrate SERVICE...`: apply the named services'
migrations as the migration role (MIGRATION_DATABASE_URL; DATABASE_URL when it
is not set) and exit (the Kubernetes migration Jobs run this).
`python -m services.common.migrate --print-roles` prints the SQL that sets up
the roles of the database in that URL (services/common/db.py: `roles_sql`),
for its owner to run once.

Each service still migrates at start (grpc_server.py): this is the same
`migrate()`, under the same per-schema advisory lock, so a Job and starting
replicas can race safely. The schema and the migrations folder come from the
service's own `SERVICE` definition, never from a second list kept here.
"""

import argparse
import asyncio
import importlib
import logging
import sys
from urllib.parse import urlsplit

import asyncpg

from services.common.db import MigrationError, migrate, roles_sql
from services.common.grpc_server import Service
from services.common.logs import setup_logging
from services.common.settings import DEFAULT_ADDRS, get_settings

log = logging.getLogger("migrate")


def load_service(name: str) -> Service:
    """The `SERVICE` of services/<name>/server.py."""
    service: Service = importlib.import_module(f"services.{name}.server").SERVICE
    return service


def schemas() -> list[str]:
    """The schemas the services own, from their `SERVICE` definitions."""
    return [service.schema for service in map(load_service, sorted(DEFAULT_ADDRS)) if service.schema]


async def apply(dsn: str, services: list[Service]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for service in services:
            assert service.schema is not None  # checked by main()
            applied = await migrate(conn, service.schema, service.migrations)
            log.info("schema up to date", extra={"schema": service.schema, "applied": applied})
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.common.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="*", metavar="SERVICE", help=", ".join(sorted(DEFAULT_ADDRS)))
    parser.add_argument("--print-roles", action="store_true", help="print the SQL that sets up the roles")
    args = parser.parse_args(argv)
    settings = get_settings()
    dsn = settings.migration_database_url or settings.database_url
    if args.print_roles:
        sys.stdout.write(";\n".join(roles_sql(urlsplit(dsn).path.lstrip("/"), schemas())) + ";\n")
        return 0
    if not args.services:
        parser.error("name the services to migrate, or --print-roles")
    if unknown := sorted(set(args.services) - set(DEFAULT_ADDRS)):
        parser.error(f"no such service: {', '.join(unknown)}")
    setup_logging("migrate", settings.log_level)
    services = [load_service(name) for name in args.services]
    if without := [service.name for service in services if service.schema is None]:
        parser.error(f"no schema to migrate: {', '.join(without)}")
    try:
        asyncio.run(apply(dsn, services))
    except (OSError, asyncpg.PostgresError, MigrationError) as exc:
        log.error("migration failed: %s", exc)  # the Job's backoff retries
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
