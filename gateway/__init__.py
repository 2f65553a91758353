"""The FastAPI gateway: HTTP in, verify, validate, call one gRPC method, map the result to HTTP."""
