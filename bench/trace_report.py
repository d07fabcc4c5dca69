"""`python -m bench.trace_report DIR [--top N]`: the tables of a traced run's calls, one per
process, the costliest first (see bench/trace_calls/sitecustomize.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def report(directory: Path, top: int) -> str:
    lines: list[str] = []
    for path in sorted(directory.glob("calls-*.json")):
        calls = json.loads(path.read_text())
        if not calls:
            continue
        lines += [
            f"## {path.stem}",
            "",
            "| seconds | calls | ms/call | call |",
            "| ---: | ---: | ---: | --- |",
        ]
        ranked = sorted(calls.items(), key=lambda kv: -kv[1][1])[:top]
        for name, (count, seconds) in ranked:
            per_call = 1000 * seconds / max(count, 1)
            lines.append(f"| {seconds:.2f} | {count} | {per_call:.2f} | `{name}` |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.trace_report")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    print(report(args.directory, args.top))


if __name__ == "__main__":
    main()
