"""Membership on the to-do list (core/todo.py): transfers waiting, letters expiring, arrears and lapse
alerts — each part's items in its own module."""

from .todos import dues, statuses, transfers  # noqa: F401  (they register their items)
