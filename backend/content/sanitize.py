"""The one HTML policy (contract §2): what survives in a message body or a display name."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from backend.content.markdown import render, shortcodes, too_deep

# The contract's inline subset, extended by the blocks Markdown produces (README "Formatting").
_MESSAGE_TAGS = {"b", "i", "em", "strong", "code", "pre", "a"} | {
    "blockquote",
    "ul",
    "ol",
    "li",
    "del",
    "br",
}
# Links go only to http(s) (contract §2): a relative URL (`/path`, `//host`, `#x`) is dropped
# too, since `//host` leaves the site on the page's scheme.
_MESSAGES = nh3.Cleaner(
    tags=_MESSAGE_TAGS,
    attributes={"a": {"href"}},
    url_schemes={"http", "https"},
    url_relative="deny",
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
# Bidirectional controls (embeddings, overrides, isolates, marks): in a name they can reverse
# what is shown around it ("RLO" spoofing), so names never keep them.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Letters that render as nothing (Hangul fillers, braille blank) beside the invisible categories.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


# One line of words and punctuation that neither Markdown nor HTML gives a meaning to: it
# renders and cleans to itself (a unit test holds both paths equal), so the gateway's check and
# the worker skip the ~0.5 ms of rendering that most chat lines do not need. Starting with a
# letter keeps out list markers ("1."), and no `:` or "www." keeps out links and shortcodes.
_PLAIN = re.compile(r"[^\W\d_](?:[^\W_]|[ ,;?'\"%$@/=!().-])*")


def is_plain(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None and "www." not in text.lower() and "//" not in text


def clean_message(body: str) -> str:
    """Render the Markdown source, then keep the safe subset; links only to http(s), with a
    forced rel. Raw HTML in the source goes through the same cleaning."""
    text = body.strip()
    return text if is_plain(text) else render_and_clean(text)


def render_and_clean(text: str) -> str:
    rendered = render(text)
    if too_deep(rendered):  # would cost the sanitizer the square of its depth: shown as typed
        return html.escape(text, quote=False).replace("\n", "<br>\n")
    return shortcodes(_MESSAGES.clean(rendered)).strip()


def clean_text(text: str) -> str:
    """Plain text with no markup at all (display names, room names).

    Tags are dropped by the same sanitizer, entities turned back into characters (clients show
    the text as text), and angle brackets removed so no markup can reappear when unescaped.
    Bidi controls are removed, and a name with nothing visible (only spaces, zero-width, format
    or combining characters) comes out as "", which callers refuse.
    """
    stripped = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    name = html.unescape(stripped).replace("<", "").replace(">", "")
    name = without_bidi_controls(name).strip()
    return name if any(_visible(ch) for ch in name) else ""


def without_bidi_controls(text: str) -> str:
    """`text` without the bidi controls (U+202E …) that make a name read unlike its bytes
    ("invoice\u202egpj.exe" shows as "invoiceexe.jpg"): names of people, rooms and files."""
    return _BIDI_CONTROLS.sub("", text)


def _visible(ch: str) -> bool:
    return ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
