"""SQL functions spelled differently per dialect, compiled for the engine in use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class int_floor(GenericFunction[int]):
    """floor(x) as an integer, for x >= 0: SQLite's CAST truncates (floor() needs its math
    extension), PostgreSQL's rounds, so it takes floor() first."""

    type = Integer()
    inherit_cache = True


@compiles(int_floor, "sqlite")
def _int_floor_sqlite(element: int_floor, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(int_floor)
def _int_floor(element: int_floor, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"
