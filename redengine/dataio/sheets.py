"""Declarations of import sheets: an app lists its sheets and their columns, the engine does the rest.

Example (a sheet of import-templates.md)::

    SCHOOLS = Sheet("学校", [
        Column("学校代码", "code", parsers.code(r"\\d{10}", TEN_DIGITS), required=True),
        Column("学校名称", "name", parsers.text(100), required=True),
        Column("市管", "city_managed", parsers.yes_no()),
    ], key="code")
"""

from dataclasses import dataclass, field

from .parsers import FULL_WIDTH, CellError  # noqa: F401  (CellError is part of this module's API)


def header_key(text):
    """Headers match whatever the spacing and width: '学校 代码' and '学校代码' are the same column."""
    return "".join(str(text).split()).translate(FULL_WIDTH)


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header in row 1, the field it fills and the parser of its cells."""

    header: str
    key: str
    parser: object
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, its columns, and the column key(s) that identify a row.

    Two rows with the same identifying values are duplicates, reported against the first.
    """

    name: str
    columns: tuple
    key: tuple = field(default=())

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        keys = (self.key,) if isinstance(self.key, str) else tuple(self.key or ())
        object.__setattr__(self, "key", keys)
        names = [c.key for c in self.columns]
        headers = [header_key(c.header) for c in self.columns]
        if len(set(names)) != len(names) or len(set(headers)) != len(headers):
            raise ValueError(f"sheet {self.name}: column keys and headers must be unique")
        unknown = set(keys) - set(names)
        if unknown:
            raise ValueError(f"sheet {self.name}: key columns {sorted(unknown)} are not declared")

    def column(self, key):
        return next(c for c in self.columns if c.key == key)
