"""``python -m equeue`` runs the command line."""

from __future__ import annotations

from equeue.cli import main

main()
