"""docs/events.md, written from the event schemas (`make events-docs`; a unit test fails when
the file and the schemas differ), so the page a client author reads cannot drift from what the
server sends."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from backend.fanout.schemas import EVENTS, Out

INTRO = """# Socket.IO events (server → client)

Generated from `backend/fanout/schemas.py` by `make events-docs`: do not edit by hand.

An event that reports a change is sent after the change is committed (`typing` and `presence`
report no stored change). Payloads are JSON objects; the
fields below are all a payload has (clients must ignore fields added in later versions). Types:
`int`, `str`, `bool`, `[T]` a list, `T?` may be `null`; a field in *italics* may be absent.
"""


def _type(field: fields.Field[Any]) -> str:
    if isinstance(field, fields.Nested):
        nested = field.nested
        name = nested.__name__ if isinstance(nested, type) else type(nested).__name__
        kind = name.removesuffix("Out")
    elif isinstance(field, fields.List):
        kind = f"[{_type(field.inner)}]"
    elif isinstance(field, fields.Boolean):
        kind = "bool"
    elif isinstance(field, fields.Integer):
        kind = "int"
    else:
        kind = "str"
    return kind + ("?" if field.allow_none else "")


def _rows(schema: Schema) -> list[str]:
    rows = []
    for name, field in schema.fields.items():
        label = f"`{name}`" if field.required else f"*`{name}`*"
        notes = [field.metadata.get("description", "")]
        if field.metadata.get("format"):
            notes.append(str(field.metadata["format"]))
        choices = getattr(field.validate, "choices", None) if field.validate else None
        if choices:
            notes.append("one of " + ", ".join(f"`{c}`" for c in choices))
        rows.append(f"| {label} | `{_type(field)}` | {'; '.join(n for n in notes if n)} |")
    return rows


def _shapes() -> list[type[Out]]:
    """Every schema the events use, each once, in first-use order (nested ones after)."""
    seen: list[type[Out]] = []

    def visit(schema: type[Out]) -> None:
        if schema in seen:
            return
        seen.append(schema)
        for field in schema().fields.values():
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, fields.Nested) and isinstance(inner.nested, type):
                visit(inner.nested)

    for schema, _, _ in EVENTS.values():
        visit(schema)
    return seen


def events_markdown() -> str:
    out = [INTRO, "| event | payload | to | when |", "| --- | --- | --- | --- |"]
    for event, (schema, to, when) in EVENTS.items():
        name = schema.__name__.removesuffix("Out")
        out.append(f"| `{event}` | [{name}](#{name.lower()}) | {to} | {when} |")
    for schema in _shapes():
        name = schema.__name__.removesuffix("Out")
        doc = (schema.__doc__ or "").strip()
        out += ["", f"## {name}", ""] + ([doc, ""] if doc else [])
        out += ["| field | type | notes |", "| --- | --- | --- |", *_rows(schema())]
    return "\n".join(out) + "\n"
