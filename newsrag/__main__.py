"""`python -m newsrag` runs the command line."""

from newsrag.cli import app

app()
