"""``python -m equeue.cli`` runs the command line, as ``python -m equeue`` does."""

from __future__ import annotations

from equeue.cli import main

main()
