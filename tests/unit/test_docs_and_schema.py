"""What must not drift: the README's settings table and the migrations, against the code."""

from __future__ import annotations

import re
from dataclasses import replace

from backend import migrations
from backend.config import Settings, settings_table
from tests.support.procs import ROOT


def test_readme_settings_table_is_generated_from_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", readme, re.S)
    assert match, "README lost its settings markers"
    assert match.group(1) == settings_table(), "run the snippet in the README's Settings section"


async def test_sqlite_migrations_match_the_models() -> None:
    settings = replace(Settings(jwt_secret="x" * 32), database_url="sqlite://:memory:")
    assert not await migrations.pending_changes(settings), "run `make migrations NAME=...`"
