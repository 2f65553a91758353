"""The small runtime every Cabañas service shares: settings, logs, telemetry,
gRPC server bootstrap, Postgres pool and migrations, Redis client, and the
embedded Postgres/Redis used by `make run` and the tests."""
