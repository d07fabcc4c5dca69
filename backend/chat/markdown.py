"""Message bodies are Markdown the way chat users type it, rendered to HTML once on the server.

markdown-it-py (CommonMark + strikethrough + linkify, single newlines kept as `<br>`) renders;
`sanitize.clean_message` then cleans the result with nh3, so whatever the renderer lets
through (raw HTML included) still meets the contract's safe subset. Paragraphs are not
wrapped in `<p>`: a one-line message stays a bare line, paragraphs are separated by `<br><br>`.
`:short_name:` shortcodes outside code become emoji.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import emoji
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


def _paragraph_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return ""


def _paragraph_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    following = tokens[idx + 1] if idx + 1 < len(tokens) else None
    if tokens[idx].hidden or following is None or following.type != "paragraph_open":
        return "\n"
    return "<br><br>\n"


def _del_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "<del>"


def _del_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</del>"


def _emoji_shortcodes(state: StateCore) -> None:
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "text" and ":" in token.content:
                token.content = emoji.emojize(token.content, language="alias")


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "breaks": True})
    md.enable(["strikethrough", "linkify"])
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # type: ignore[union-attr]
    md.add_render_rule("paragraph_open", _paragraph_open)
    md.add_render_rule("paragraph_close", _paragraph_close)
    md.add_render_rule("s_open", _del_open)
    md.add_render_rule("s_close", _del_close)
    md.core.ruler.push("emoji_shortcodes", _emoji_shortcodes)
    return md


_MD = _build()


def render(source: str) -> str:
    """The HTML of a Markdown body, not yet cleaned (callers go through `clean_message`)."""
    html: str = _MD.render(source)
    return html.strip()
