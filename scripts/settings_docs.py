"""Rewrite the generated settings tables from backend/settings/config.py (`make settings-docs`).

Each document keeps its table between `<!-- settings:start -->` and `<!-- settings:end -->`;
tests fail when a table and `settings_table()` differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.settings.config import settings_table  # noqa: E402

DOCS = ("README.md", "docs/operations.md")
BLOCK = re.compile(r"(<!-- settings:start -->\n).*?(\n<!-- settings:end -->)", re.S)


def main() -> int:
    table = settings_table()
    for name in DOCS:
        path = ROOT / name
        text = path.read_text()
        new, count = BLOCK.subn(lambda m: m.group(1) + table + m.group(2), text)
        if count != 1:
            print(f"{name}: no settings markers", file=sys.stderr)
            return 1
        if new != text:
            path.write_text(new)
            print(f"{name}: settings table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
