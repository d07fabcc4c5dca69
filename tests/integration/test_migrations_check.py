"""The generated migrations match the models, in both dialects (`chatty migrate --check`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.procs import ROOT


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_migrations_match_the_models(dialect: str, request: pytest.FixtureRequest) -> None:
    url = "sqlite://:memory:" if dialect == "sqlite" else request.getfixturevalue("pg_url")
    done = subprocess.run(
        [sys.executable, "-m", "chatty.cli", "migrate", "--check"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "CHATTY_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
