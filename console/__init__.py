"""The owner's web app: server-rendered pages over the services' gRPC APIs (it owns no table)."""
