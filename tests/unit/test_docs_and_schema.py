"""What must not drift: the README's settings table, against the code."""

from __future__ import annotations

import re

from backend.settings.config import settings_table
from tests.support.procs import ROOT


def test_readme_settings_table_is_generated_from_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", readme, re.S)
    assert match, "README lost its settings markers"
    assert match.group(1) == settings_table(), "paste settings_table() into the README"
