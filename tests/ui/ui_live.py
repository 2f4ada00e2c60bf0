"""The live uvicorn server of the UI tests: the shared one in tests/support.py."""

from support import LiveServer, free_port  # noqa: F401
