"""No import cycle at all inside the package, imports inside functions included: a module
that imports another only when called still depends on it, and the two can no longer be
read, tested or moved apart."""

from __future__ import annotations

from tests.unit.test_layout import cycles, import_graph


def test_no_module_depends_on_another_that_depends_on_it_back() -> None:
    assert cycles(import_graph(top_level_only=False)) == []
