"""Message bodies are Markdown the way chat users type it, rendered to HTML once on the server.

cmark-gfm (GitHub's C CommonMark parser, through cmarkgfm) renders: CommonMark plus the
strikethrough (`~~`) and autolink extensions, single newlines kept as `<br>`. It is built to
parse in linear time on any input, which markdown-it-py is not (`"[*" * 2000` cost it 150 ms,
on the gateway's event loop): a 4,000-character body of any shape renders in a few ms at most.
`sanitize.clean_message` then cleans the result with nh3, so whatever the renderer lets through
(raw HTML included) still meets the contract's safe subset.

What this module adds to cmark's output, each a linear pass:
- links: only scheme links are made from bare text. cmark's autolink extension also links a
  bare `www.` host and an e-mail address; those anchors are unwrapped back to their text.
- paragraphs are not wrapped in `<p>`: a one-line message stays a bare line, paragraphs are
  separated by `<br><br>` (nh3 then drops the remaining `<p>` tags, keeping their text).
- `:short_name:` shortcodes outside code become emoji (`shortcodes`, on the cleaned HTML).

The sanitizer's HTML parser (html5ever) costs the square of the nesting depth: 2,000 nested
quotes (`"> " * 2000`, which cmark renders as written) took nh3 60-230 ms. `too_deep` bounds
that before cleaning; such a body is shown as typed (`sanitize.render_and_clean`).
"""

from __future__ import annotations

import re

import cmarkgfm
import emoji
from cmarkgfm.cmark import Options

# UNSAFE: raw HTML and every link are passed on as written: nh3 is the one policy (sanitize.py).
_OPTIONS = (
    Options.CMARK_OPT_UNSAFE
    | Options.CMARK_OPT_HARDBREAKS
    | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE  # `~one~` stays text, as it always has
)
_EXTENSIONS = ("strikethrough", "autolink")
# Once, at import: cmark-gfm's registry of extensions is not safe to fill from two threads
# (bodies render on the event loop and in the gateway's render thread).
cmarkgfm.cmark.core_extensions_ensure_registered()
# The anchors cmark's autolink makes of a bare `www.` host or e-mail address (a link the user
# wrote with such a text goes too: its text stays). `[^"]*` and `[^<]*` end at the next quote
# or tag, so the pass is linear.
_FUZZY_LINK = re.compile(
    r'<a href="(?:http://[^"]*">(?=www\.)|(?:mailto|xmpp):[^"]*">)([^<]*)</a>', re.IGNORECASE
)
_PARAGRAPH_BREAK = "</p>\n<p>"
# A tag of nh3's output: well-formed, every attribute value in double quotes.
_TAG = re.compile(r'<(/?)([a-z0-9]+)(?:[^>"]|"[^"]*")*>')
_CODE = frozenset({"code", "pre"})
# What a shortcode looks like (`emoji.emojize`'s own pattern): text without one is not handed
# to it (a body of 400 bare links had 400 pieces of text with a colon: 2-8 ms).
_SHORTCODE = re.compile(r":[^\s:]+:")
# Deeper than any quote or list a person types (markdown-it-py stopped at 20); 32 levels cost
# nh3 well under a millisecond.
MAX_NESTING = 32
_OPEN_OR_CLOSE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
# Elements that never hold others (void), or that the next of their kind closes (a list item,
# a paragraph, a cell): neither deepens what the parser builds.
_VOID = "area base br col embed hr img input link meta param source track wbr keygen"
_CLOSED_BY_NEXT = "p li dt dd tr td th option optgroup rb rt rp rtc tbody thead tfoot colgroup"
_FLAT = frozenset(f"{_VOID} {_CLOSED_BY_NEXT} caption".split())


def render(source: str) -> str:
    """The HTML of a Markdown body, not yet cleaned (callers go through `clean_message`)."""
    html = cmarkgfm.markdown_to_html_with_extensions(
        source, options=_OPTIONS, extensions=list(_EXTENSIONS)
    )
    html = _FUZZY_LINK.sub(r"\1", html)
    return html.replace(_PARAGRAPH_BREAK, "<br><br>\n").strip()


def shortcodes(html: str) -> str:
    """`:thumbsup:` → 👍 in the text of cleaned HTML, except inside `<code>` and `<pre>`.

    Run on nh3's output, where every `<` opens a tag: emoji are plain characters, so they
    cannot make markup of anything."""
    if not _SHORTCODE.search(html):
        return html
    out: list[str] = []
    in_code, start = 0, 0
    for tag in _TAG.finditer(html):
        out.append(_emojize(html[start : tag.start()], in_code))
        out.append(tag.group())
        if tag.group(2) in _CODE:
            in_code = max(0, in_code + (-1 if tag.group(1) else 1))
        start = tag.end()
    out.append(_emojize(html[start:], in_code))
    return "".join(out)


def _emojize(text: str, in_code: int) -> str:
    if in_code or not _SHORTCODE.search(text):
        return text
    return emoji.emojize(text, language="alias")


def too_deep(html: str) -> bool:
    """Whether `html` (rendered, not cleaned: raw HTML included) may nest more than
    MAX_NESTING elements. Linear: the stack of open elements never grows past the bound."""
    stack: list[str] = []
    for close, name in _OPEN_OR_CLOSE.findall(html):
        name = name.lower()
        if name in _FLAT:
            continue
        if not close:
            stack.append(name)
            if len(stack) > MAX_NESTING:
                return True
        elif name in stack:  # an end tag closes up to its element; a stray one closes nothing
            while stack.pop() != name:
                pass
    return False
