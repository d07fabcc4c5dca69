"""What must not drift: the README's settings table and the migrations, against the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from backend.config import settings_table
from tests.support.procs import ROOT


def test_readme_settings_table_is_generated_from_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", readme, re.S)
    assert match, "README lost its settings markers"
    assert match.group(1) == settings_table(), "paste settings_table() into the README"


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
