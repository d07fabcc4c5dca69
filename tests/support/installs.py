"""An installation of a test's own (`fresh_install` in tests/conftest.py), and what its tests
read from its database directly (an invite's expiry is set there, not waited for)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import asyncpg

from backend.settings.config import Settings
from tests.support.clients import eventually


@dataclass(frozen=True)
class Installation:
    url: str  # its gateway
    database_url: str  # `postgres://…` or `sqlite://<file>`

    async def sql(self, statement: str, *args: Any) -> list[tuple[Any, ...]]:
        """Run one statement (`$1`-style arguments on both dialects); the rows it returned."""
        if self.database_url.startswith("sqlite://"):
            query = statement
            for n in range(len(args), 0, -1):
                query = query.replace(f"${n}", f"?{n}")
            # Datetimes as Tortoise writes them (sqlite3's own adapter is deprecated).
            values = [a.isoformat(" ") if isinstance(a, datetime) else a for a in args]
            with sqlite3.connect(self.database_url.removeprefix("sqlite://")) as db:
                return [tuple(row) for row in db.execute(query, values).fetchall()]
        conn = await asyncpg.connect(self.database_url)
        try:
            return [tuple(row) for row in await conn.fetch(statement, *args)]
        finally:
            await conn.close()


def setting_env(changes: dict[str, Any]) -> dict[str, str]:
    """Settings fields (`registration="closed"`) as the environment sets them."""
    env = {f.name: f.metadata["env"] for f in fields(Settings)}
    return {env[name]: str(value) for name, value in changes.items()}


class HeldInserts:
    """PostgreSQL: no account can be stored while held, but accounts can be read. Registrations
    started meanwhile all get as far as storing theirs, each past its checks (or waiting on a
    lock that a correct check takes), so they race for real when released. SQLite: nothing to
    hold (chatty's one connection runs a transaction at a time)."""

    def __init__(self, install: Installation) -> None:
        self.postgres = not install.database_url.startswith("sqlite://")
        self.url = install.database_url
        self.conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> HeldInserts:
        if self.postgres:
            self.conn = await asyncpg.connect(self.url)
            await self.conn.execute("BEGIN; LOCK TABLE users IN SHARE MODE")
        return self

    async def until_waiting(self, count: int) -> None:
        """Until `count` other sessions wait on a lock (each registration's transaction)."""
        if self.conn is None:
            return
        conn = self.conn
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )

        async def enough() -> bool:
            await conn.execute("SELECT pg_stat_clear_snapshot()")  # else fixed per transaction
            return int(await conn.fetchval(waiting)) >= count

        await eventually(enough)

    async def __aexit__(self, *_: object) -> None:
        if self.conn is not None:
            await self.conn.execute("ROLLBACK")
            await self.conn.close()
