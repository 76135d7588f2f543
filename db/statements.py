"""SQLAlchemy Core statements, compiled once for the driver that runs them.

The services build their statements with SQLAlchemy (the models are the one description of the
tables), but on PostgreSQL they run them on asyncpg directly: compiling, caching and result
processing per call cost more than PostgreSQL takes to answer. A `Statement` holds the Core
statement (SQLite runs it through SQLAlchemy) and, compiled once, its asyncpg SQL with the
order of its parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import dialect as AsyncpgDialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

_ASYNCPG = AsyncpgDialect()  # type: ignore[no-untyped-call]
_MISSING = object()


class Statement:
    """One statement; `params` names its bind parameters (`owner_id`, `task_id`...)."""

    __slots__ = ("__dict__", "core")

    def __init__(self, core: Executable) -> None:
        assert isinstance(core, ClauseElement)
        self.core = core

    @cached_property
    def _compiled(self) -> SQLCompiler:
        core = self.core
        assert isinstance(core, ClauseElement)
        compiled = core.compile(dialect=_ASYNCPG)
        assert isinstance(compiled, SQLCompiler)
        return compiled

    @cached_property
    def sql(self) -> str:
        """The statement in asyncpg's dialect (`$1`, `$2`... parameters)."""
        sql = str(self._compiled)
        # Expanding parameters (`IN` of a list, an empty `IN`) are rendered per execution by
        # SQLAlchemy, never here: a statement needs one parameter per value instead.
        if "__[POSTCOMPILE" in sql:
            raise ValueError(f"a Statement cannot hold expanding parameters: {sql}")
        return sql

    @cached_property
    def _order(self) -> tuple[tuple[str, Any], ...]:
        # Literal values in the statement (`version + 1`) are parameters too, with their value.
        binds = self._compiled.binds
        return tuple(
            (name, _MISSING if binds[name].required else binds[name].effective_value)
            for name in self._compiled.positiontup or ()
        )

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for asyncpg, from named values (KeyError if one is missing)."""
        # A value written into the statement (`version = 1`) is never a caller's to change.
        return [params[name] if literal is _MISSING else literal for name, literal in self._order]
