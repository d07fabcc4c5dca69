"""The one HTML policy (contract §2): what survives in a message body or a display name."""

from __future__ import annotations

import html

import nh3

_MESSAGE_TAGS = {"b", "i", "em", "strong", "code", "pre", "a"}
_MESSAGE_ATTRIBUTES = {"a": {"href"}}
_URL_SCHEMES = {"http", "https"}
_REL = "noopener noreferrer nofollow"


def clean_message(body: str) -> str:
    """Keep a small inline subset; links only to http(s), with a forced rel."""
    return nh3.clean(
        body.strip(),
        tags=_MESSAGE_TAGS,
        attributes=_MESSAGE_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=_REL,
        strip_comments=True,
    ).strip()


def clean_text(text: str) -> str:
    """Plain text with no markup at all (display names, room names).

    Tags are dropped by the same sanitizer, entities turned back into characters (clients show
    the text as text), and angle brackets removed so no markup can reappear when unescaped.
    """
    stripped = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    return html.unescape(stripped).replace("<", "").replace(">", "").strip()
