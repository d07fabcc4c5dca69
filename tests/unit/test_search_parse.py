"""Search queries and highlights (contract §6 "Search"), without a database."""

from __future__ import annotations

from backend.chat.search import _fts_match, highlight, parse


def test_a_query_has_words_phrases_prefixes_and_exclusions() -> None:
    assert parse('deploy "release notes" -staging kube*') == (
        ["deploy"],
        ["release notes"],
        ["kube"],
        ["staging"],
    )


def test_only_exclusions_or_punctuation_search_nothing() -> None:
    assert _fts_match("-staging") is None
    assert _fts_match("*** ---") is None


def test_fts5_query_quotes_every_term() -> None:
    assert _fts_match('a "b c" d* -e') == '"a" AND "b c" AND "d"* NOT "e"'


def test_highlight_marks_matches_outside_tags_and_stays_clean() -> None:
    body = '<strong>Deploy</strong> at <a href="https://deploy.example">link</a> deployment'
    marked = highlight(body, "deploy")
    assert marked.startswith("<strong><mark>Deploy</mark></strong>")
    assert 'href="https://deploy.example"' in marked
    assert "<mark>deployment</mark>" not in marked
    assert "<mark>deployment</mark>" in highlight(body, "deploy*")
    assert "<script" not in highlight("&lt;script&gt; x", "script")
