"""Rewrite docs/events.md from backend/fanout/schemas.py (`make events-docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.fanout.events_doc import events_markdown  # noqa: E402

DOC = ROOT / "docs" / "events.md"


def main() -> int:
    text = events_markdown()
    if not DOC.exists() or DOC.read_text() != text:
        DOC.write_text(text)
        print(f"{DOC.relative_to(ROOT)} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
