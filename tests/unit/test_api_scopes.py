"""What each scope of an API key allows: read < write < admin, and work beside them."""

from __future__ import annotations

import pytest

from equeue.api.keys import grants, normalise_scopes


@pytest.mark.parametrize(
    ("scopes", "needed", "allowed"),
    [
        (["read"], "read", True),
        (["read"], "write", False),
        (["write"], "read", True),
        (["admin"], "write", True),
        (["work"], "work", True),
        (["work"], "read", False),
        (["work"], "write", False),
        (["work"], "admin", False),
        (["read", "write"], "work", False),
        (["admin"], "work", True),
    ],
)
def test_a_scope_allows_what_it_includes(scopes: list[str], needed: str, allowed: bool) -> None:
    assert grants(scopes, needed) is allowed


def test_work_is_a_scope_a_key_may_be_given() -> None:
    assert normalise_scopes(["work", "read"]) == ["read", "work"]
    with pytest.raises(ValueError, match="unknown scope"):
        normalise_scopes(["worker"])
