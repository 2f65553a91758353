"""`python -m console`: serve the owner's web app with uvicorn on CONSOLE_PORT."""

from console.app import create_app
from services.common.web import serve

if __name__ == "__main__":
    serve("console", create_app, lambda s: (s.console_host, s.console_port))
