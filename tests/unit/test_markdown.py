"""Message bodies: Markdown rendered once on the server into the safe subset (README)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.content.markdown import MAX_NESTING
from backend.content.sanitize import clean_message, is_plain, render_and_clean
from tests.integration.test_xss import MARKDOWN_VECTORS, VECTORS, assert_safe

REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("hello", "hello"),
        ("a & b < c", "a &amp; b &lt; c"),
        ("**bold**", "<strong>bold</strong>"),
        ("__bold__", "<strong>bold</strong>"),
        ("*it* and _it_", "<em>it</em> and <em>it</em>"),
        ("~~gone~~", "<del>gone</del>"),
        ("use `x < y`", "use <code>x &lt; y</code>"),
        ("line one\nline two", "line one<br>\nline two"),
        ("para one\n\npara two", "para one<br><br>\npara two"),
        (":thumbsup: :+1:", "\U0001f44d \U0001f44d"),
        ("`:smile:`", "<code>:smile:</code>"),
        ("<b>kept</b> <i>too</i>", "<b>kept</b> <i>too</i>"),
    ],
    ids=[
        "plain",
        "escaped",
        "bold",
        "bold-underscores",
        "italic",
        "strike",
        "inline-code",
        "line-break",
        "paragraphs",
        "emoji-shortcodes",
        "no-emoji-in-code",
        "inline-html-subset",
    ],
)
def test_each_inline_construct_renders_to_the_safe_subset(source: str, html: str) -> None:
    assert clean_message(source) == html


def test_fenced_code_block_is_pre_code_with_its_text_escaped() -> None:
    html = clean_message("```python\nif a < b:\n    **not bold**\n```")
    assert html == "<pre><code>if a &lt; b:\n    **not bold**\n</code></pre>"


def test_quote_is_a_blockquote() -> None:
    assert clean_message("> quoted\n> still") == "<blockquote>\nquoted<br>\nstill\n</blockquote>"


def test_bulleted_and_numbered_lists() -> None:
    assert clean_message("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert clean_message("1. x\n2. y") == "<ol>\n<li>x</li>\n<li>y</li>\n</ol>"


def test_links_get_a_forced_rel_and_bare_urls_become_links() -> None:
    assert clean_message("[site](https://example.com)") == (
        f'<a href="https://example.com" {REL}>site</a>'
    )
    assert clean_message("see https://example.com/a?b=1 now") == (
        f'see <a href="https://example.com/a?b=1" {REL}>https://example.com/a?b=1</a> now'
    )


def test_unsafe_links_and_images_never_survive() -> None:
    assert "href" not in clean_message("[x](javascript:alert(1))")
    assert "<img" not in clean_message("![x](https://example.com/x.png)")


@pytest.mark.parametrize(
    "source",
    [
        "[x](//evil.example/a)",
        "[x](/path)",
        "[x](path/page)",
        "[x](#top)",
        '<a href="//evil.example">x</a>',
        '<a href="/path">x</a>',
    ],
)
def test_only_http_links_survive_not_relative_ones(source: str) -> None:
    """`//host` leaves the site on the page's scheme, `/path` points into it (contract §2)."""
    assert "href" not in clean_message(source)


def test_only_scheme_text_becomes_a_link_not_a_bare_host_or_address() -> None:
    assert clean_message("see www.example.com or bob@example.com") == (
        "see www.example.com or bob@example.com"
    )
    assert clean_message("mailto:bob@example.com") == "mailto:bob@example.com"
    assert clean_message("**http://x.org**") == (
        f'<strong><a href="http://x.org" {REL}>http://x.org</a></strong>'
    )


def test_single_tildes_and_raw_code_keep_their_text() -> None:
    assert clean_message("~a~ ~~b~~") == "~a~ <del>b</del>"
    assert clean_message("<code>:smile:</code> :smile:") == "<code>:smile:</code> \U0001f604"


@pytest.mark.parametrize("unit", ["> ", "<div>", "<ul>", "- > ", "<b><i>", "<dl>"])
def test_a_body_nested_past_the_bound_is_shown_as_typed(unit: str) -> None:
    """The sanitizer's cost grows with the square of the depth: such a body is not rendered."""
    source = unit * (MAX_NESTING + 1) + "x"
    html = clean_message(source)
    assert "<" not in html.replace("<br>", "")
    assert_safe(html)


def test_nesting_within_the_bound_renders() -> None:
    assert (
        clean_message("> " * 5 + "deep")
        == "<blockquote>\n" * 5 + "deep\n" + ("</blockquote>\n" * 5).strip()
    )


def test_paragraphs_in_a_loose_list_are_separated_like_top_level_ones() -> None:
    assert clean_message("- a\n\n  b") == "<ul>\n<li>\na<br><br>\nb\n</li>\n</ul>"


def test_headings_tables_and_rules_are_not_in_the_subset() -> None:
    html = clean_message("# Title\n\n---")
    assert "<h1" not in html
    assert "<hr" not in html
    assert "Title" in html


@pytest.mark.parametrize("vector", VECTORS + MARKDOWN_VECTORS)
def test_xss_corpus_through_markdown_is_neutralised(vector: str) -> None:
    assert_safe(clean_message(vector + " tail"))


_PIECES = [*"aZé漢ßж0 9,;?'\"%$@/=!().-", "www.", "//", "1.", "x:", "Bob"]
_LINE = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(_LINE)
def test_a_plain_line_skips_rendering_and_comes_out_as_rendering_would_make_it(
    line: str,
) -> None:
    text = line.strip()
    if is_plain(text):
        assert render_and_clean(text) == text == clean_message(line)


def test_what_markdown_or_html_gives_a_meaning_to_is_not_plain() -> None:
    for text in ("1. one", "- item", "www.x.org", "see http://x.org", ":smile:", "a_b", "x *y*"):
        assert not is_plain(text), text
    assert is_plain("Shipped it. Thanks, Bob (and @carol) - 100% done!")
