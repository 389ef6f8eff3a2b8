"""Every module of the package stays short enough to hold in mind at once."""

from __future__ import annotations

from tests.unit.test_layout import PACKAGE

#: Lines a module may have, blank lines and docstrings included.
MAX_LINES = 400


def test_no_module_is_longer_than_the_limit() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"
