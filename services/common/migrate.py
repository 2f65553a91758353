"""`python -m services.common.migrate SERVICE...`: apply the named services'
migrations to DATABASE_URL and exit (the Kubernetes migration Jobs run this).

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

import asyncpg

from services.common.db import MigrationError, migrate
from services.common.grpc_server import Service
from services.common.logs import setup_logging
from services.common.settings import DEFAULT_ADDRS, get_settings

log = logging.getLogger("migrate")


def load_service(name: str) -> Service:
    """The `SERVICE` of services/<name>/server.py."""
    service: Service = importlib.import_module(f"services.{name}.server").SERVICE
    return service


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
    parser.add_argument("services", nargs="+", choices=sorted(DEFAULT_ADDRS), metavar="SERVICE")
    args = parser.parse_args(argv)
    settings = get_settings()
    setup_logging("migrate", settings.log_level)
    services = [load_service(name) for name in args.services]
    if without := [service.name for service in services if service.schema is None]:
        parser.error(f"no schema to migrate: {', '.join(without)}")
    try:
        asyncio.run(apply(settings.database_url, services))
    except (OSError, asyncpg.PostgresError, MigrationError) as exc:
        log.error("migration failed: %s", exc)  # the Job's backoff retries
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
