"""Local stand-ins for internet services, for `make run` without credentials and for tests."""
