"""The helpers of the hand-written baselines: a statement read with ``connection.cursor()``, and the prefix
range of a subtree as each database's index serves it (``LIKE 'prefix%'`` on PostgreSQL, a range elsewhere).
Never part of the product.
"""


def run(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def one(sql, params):
    return run(sql, params)[0]


def under(column, name="p"):
    """``column`` lies under the prefix ``%(name)s`` (see ``prefix_params``), as each database's index serves."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"{column} LIKE %({name}_like)s"
    return f"({column} >= %({name})s AND {column} < %({name}_end)s)"


def prefix_params(prefix, name="p"):
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return {name: prefix, f"{name}_end": prefix + "\U0010ffff", f"{name}_like": escaped + "%"}
