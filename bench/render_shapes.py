"""Per-shape cost of `clean_message` (render + clean) on 4,000-character bodies.

The shapes are the ones a parser can be super-linear on (unclosed brackets and emphasis, deep
quotes and lists, many links, raw HTML that the sanitizer must repair) plus two ordinary
messages for scale. Run it on any checkout, before and after a renderer change:

    .venv/bin/python -m bench.render_shapes            # a table, best and median of --runs
    .venv/bin/python -m bench.render_shapes --json     # the same as JSON

Times are wall clock on this machine; a body of any shape should stay within a few ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

import orjson

from backend.content.markdown import render
from backend.content.sanitize import clean_message

BODY_MAX = 4000  # the input limit of a message body


def _fill(unit: str) -> str:
    return (unit * (BODY_MAX // len(unit) + 1))[:BODY_MAX]


SHAPES: dict[str, str] = {
    name: _fill(unit)
    for name, unit in {
        "[*": "[*",
        "![*": "![*",
        "**a ": "**a ",
        "<": "<",
        "[a](": "[a](",
        "[": "[",
        "*_": "*_",
        "_a": "_a",
        "`a": "`a",
        "> ": "> ",
        ">": ">",
        "- ": "- ",
        "1. ": "1. ",
        "a\\n": "a\n",
        "a  \\n": "a  \n",
        "[a]: b\\n": "[a]: b\n",
        "[a][": "[a][",
        "](": "](",
        "&": "&",
        ":+1: ": ":+1: ",
        ":a": ":a",
        "http://a ": "http://a ",
        "www.a ": "www.a ",
        "a@b.co ": "a@b.co ",
        "<a ": "<a ",
        "<b><i>": "<b><i>",
        "<a><b></a>": "<a><b></a>",
        "<b><p></b>": "<b><p></b>",
        "<table><tr>": "<table><tr>",
        "<blockquote>": "<blockquote>",
        "<!--": "<!--",
        "words": "hello world this is a normal message. ",
        "mixed": "**bold** :smile: `code` [l](https://x.org) ",
    }.items()
}


def _times(fn: object, body: str, runs: int) -> list[float]:
    assert callable(fn)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(body)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for name, body in SHAPES.items():
        render_ms = _times(render, body, args.runs)
        clean_ms = _times(clean_message, body, args.runs)
        rows.append(
            {
                "shape": name,
                "render_best_ms": min(render_ms),
                "clean_message_best_ms": min(clean_ms),
                "clean_message_median_ms": statistics.median(clean_ms),
            }
        )
    worst = max(rows, key=lambda r: r["clean_message_median_ms"])
    if args.json:
        print(orjson.dumps({"rows": rows, "worst": worst}).decode())
        return
    print(f"{'shape':14} {'render best':>12} {'clean best':>11} {'clean median':>13}  (ms)")
    for r in rows:
        print(
            f"{r['shape']:14} {r['render_best_ms']:12.2f} {r['clean_message_best_ms']:11.2f}"
            f" {r['clean_message_median_ms']:13.2f}"
        )
    print(f"worst: {worst['shape']!r} {worst['clean_message_median_ms']:.2f} ms median")


if __name__ == "__main__":
    main()
