"""Shared pytest fixtures (embedded servers, the running system) for every test folder."""

pytest_plugins = ["tests.stack", "tests.console_support"]
