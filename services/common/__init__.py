"""The small runtime every Cabañas service shares: settings, errors, logs,
telemetry, the gRPC server bootstrap and client channels, the Postgres pool and
migrations, the outbox, paging, the Redis client and protobuf conversions.
Development tools (`make run`, embedded servers) live in `devtools/`."""
