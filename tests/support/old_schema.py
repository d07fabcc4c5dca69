"""A database with the schema of an earlier release: the migrations before one of them
applied with aerich, the way `chatty migrate` did then; then SQL on it (both dialects) and
`chatty` itself on it. For the tests of a migration's data step."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from typing import Any

import asyncpg

from tests.support.procs import JWT_SECRET, ROOT

_OLD_SCHEMA = """
import asyncio, shutil, sys, tempfile
from pathlib import Path
from aerich import Command
from tortoise import Tortoise
from backend.settings.config import Settings
from backend.infra.db import migrations_dir, tortoise_config

async def main(url: str, before: str) -> None:
    settings = Settings(jwt_secret="x" * 32, database_url=url)
    old = Path(tempfile.mkdtemp()) / "models"
    old.mkdir()
    folder = migrations_dir(settings) / "models"
    versions = [p for p in folder.glob("*.py") if p.name[0].isdigit()]
    stop = next(int(p.name.split("_")[0]) for p in versions if p.stem.endswith("_" + before))
    for path in versions:
        if int(path.name.split("_")[0]) < stop:
            shutil.copy(path, old / path.name)
    command = Command(tortoise_config(settings), app="models", location=str(old.parent))
    await command.init()
    await command.upgrade(run_in_transaction=True)
    await Tortoise.close_connections()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def chatty_on(url: str, *args: str) -> None:
    """`chatty <args>` on that database; fails the test with its output if it fails."""
    _run(url, [sys.executable, "-m", "chatty.cli", *args])


def migrate_before(url: str, migration: str) -> None:
    """Every migration before the one named `migration` (`roles`, `workspace` …)."""
    _run(url, [sys.executable, "-c", _OLD_SCHEMA, url, migration])


def _run(url: str, command: list[str]) -> None:
    env = {**os.environ, "DATABASE_URL": url, "CHATTY_LOG_FORMAT": "json", "JWT_SECRET": JWT_SECRET}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]


async def sql(url: str, statements: list[str]) -> list[Any]:
    """Run statements; returns the rows of the last one."""
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as db:
            for statement in statements[:-1]:
                db.execute(statement)
            return db.execute(statements[-1]).fetchall()
    conn = await asyncpg.connect(url)
    try:
        for statement in statements[:-1]:
            await conn.execute(statement)
        return [tuple(row) for row in await conn.fetch(statements[-1])]
    finally:
        await conn.close()
