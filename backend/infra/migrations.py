"""Schema migrations with aerich, one generated set per SQL dialect.

aerich writes dialect-specific SQL, so `db/migrations/postgres` and `db/migrations/sqlite` are
both *generated* from the same Tortoise models by `make migrations` (never edited by hand); a test
checks that neither set lags behind the models. `chatty migrate` applies the set of the
configured database, so PostgreSQL and the embedded SQLite file get their schema the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from dataclasses import replace
from typing import Any

import asyncpg
from aerich import Command
from tortoise import Tortoise

from backend.infra.db import migrations_dir, tortoise_config
from backend.settings.config import Settings

APP = "models"


async def apply(settings: Settings) -> list[str]:
    """Apply every migration the database lacks; returns the versions applied."""
    command = Command(tortoise_config(settings), app=APP, location=str(migrations_dir(settings)))
    try:
        await command.init()
        return await command.upgrade(run_in_transaction=True)
    finally:
        await Tortoise.close_connections()


async def pending_changes(settings: Settings) -> bool:
    """True when the models differ from the last migration of this dialect (offline diff)."""
    command = Command(tortoise_config(settings), app=APP, location=str(migrations_dir(settings)))
    try:
        await Tortoise.init(config=tortoise_config(settings))  # this dialect, not the last one
        _forget_last_diff()
        await command.init(offline=True)
        from aerich.migrate import Migrate
        from aerich.utils import get_models_describe

        last = Migrate._last_version_content or {}
        return bool(_diff(last, get_models_describe(APP)))
    finally:
        await Tortoise.close_connections()


def _diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    new = json.loads(json.dumps(new, default=str))  # the stored state went through JSON too
    old, new = _unordered_backward(old), _unordered_backward(new)
    return [name for name in old.keys() | new.keys() if old.get(name) != new.get(name)]


def _unordered_backward(state: dict[str, Any]) -> dict[str, Any]:
    """A table's reverse relations are no column: their order is only the order the model
    modules are registered in (moving a model to another module must not ask for a migration)."""
    return {
        name: {
            **model,
            "backward_fk_fields": sorted(
                model.get("backward_fk_fields") or [], key=lambda field: field["name"]
            ),
        }
        for name, model in state.items()
    }


async def generate(settings: Settings, name: str, *, empty: bool = False) -> str | None:
    """Write the next migration for this settings' dialect (needs a scratch database).
    `empty`: a migration with no model change, for SQL the models cannot say (search indexes)."""
    location = migrations_dir(settings)
    command = Command(tortoise_config(settings), app=APP, location=str(location))
    try:
        if not (location / APP).exists():
            await command.init_db(safe=True)
            return "initial"
        # The last migration's own model state (offline), not the database's record of it:
        # `upgrade` records the *current* models, which would hide the changes to generate.
        await Tortoise.init(config=tortoise_config(settings))  # this dialect, not the last one
        _forget_last_diff()
        await command.init(offline=True)
        return await command.migrate(name=name, no_input=True, offline=True, empty=empty)
    finally:
        await Tortoise.close_connections()


def _forget_last_diff() -> None:
    """aerich keeps a diff's operations on its class: the last dialect's must not leak."""
    from aerich.migrate import Migrate

    for name in (
        "upgrade_operators",
        "downgrade_operators",
        "_upgrade_fk_m2m_index_operators",
        "_downgrade_fk_m2m_index_operators",
        "_upgrade_m2m",
        "_downgrade_m2m",
    ):
        setattr(Migrate, name, [])
    Migrate._rename_fields, Migrate._rename_models = {}, {}


async def _generate_all(name: str, pg_admin_url: str, *, empty: bool = False) -> None:
    scratch = f"chatty_migrations_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_admin_url)
    await admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        base = Settings(jwt_secret="x" * 32)
        pg_url = pg_admin_url.rsplit("/", 1)[0] + f"/{scratch}"
        for settings in (
            replace(base, database_url=pg_url),
            replace(base, database_url="sqlite://:memory:"),
        ):
            print(settings.dialect, await generate(settings, name, empty=empty))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate migrations for every dialect.")
    parser.add_argument("name", nargs="?", default="update")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--empty", action="store_true", help="no model change: hand-written SQL")
    args = parser.parse_args()
    asyncio.run(_generate_all(args.name, args.pg, empty=args.empty))


if __name__ == "__main__":
    main()
