#!/usr/bin/env python
"""Red Engine's command-line entry point."""

import os
import sys

DB_COMMANDS = {
    "runserver",
    "migrate",
    "seed_demo",
    "createadmin",
    "createorg",
    "import_workbook",
    "metrics",
    "shell",
    "dbshell",
}


def database_problem():
    """Why the configured database cannot be reached, or None. Names the setting to fix."""
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        return (
            f"无法连接数据库 / The database cannot be reached: {exc}\n"
            "请检查环境变量 DATABASE_URL / Check the DATABASE_URL environment variable "
            "(e.g. sqlite:///var/redengine.sqlite3 or postgres://user:password@host:5432/redengine)."
        )
    return None


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"配置错误 / Configuration error: {exc}\n")
        sys.exit(2)
    if len(sys.argv) > 1 and sys.argv[1] in DB_COMMANDS:
        problem = database_problem()
        if problem:
            sys.stderr.write(problem + "\n")
            sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
