"""Fixtures of the metric tests."""

import pytest

from .brute_force import hand_made_tree


@pytest.fixture
def tree(db):
    """The hand-made district of ``brute_force.hand_made_tree`` (rolled back with the test)."""
    return hand_made_tree()
