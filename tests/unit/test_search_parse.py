"""Search queries and highlights (contract §6 "Search"), without a database."""

from __future__ import annotations

import pytest

from backend.messages.search import _fts_match, highlight, parse
from backend.messages.search_query import check_cost
from backend.settings.config import Settings
from backend.shapes.errors import ValidationFailed

SETTINGS = Settings.from_env({})


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


def test_terms_are_deduplicated_case_folded_in_first_use_order() -> None:
    assert parse('Deploy deploy kube* KUBE* x* -a -A "b c" "B C" deploy') == (
        ["Deploy"],
        ["b c"],
        ["kube", "x"],
        ["a"],
    )


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        # issue 31: 200 characters of 0* … f*: 16 distinct prefixes of one character
        ((" ".join(f"{c}*" for c in "0123456789abcdef") + " ") * 7, "distinct terms"),
        ("ab* cd* ef* gh*", "distinct prefixes"),
        ("deploy a*", "2+ characters"),
        (" ".join(f"w{n}" for n in range(9)), "distinct terms"),
    ],
)
def test_a_costly_query_is_refused(query: str, problem: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_cost(query[:200], SETTINGS)
    assert any(problem in p for p in (refused.value.details or {})["q"])


def test_repeated_terms_count_once_against_the_caps() -> None:
    check_cost(
        " ".join(["deploy", "Deploy", "kube*", "ku*", '"release notes"', "-x"] * 10), SETTINGS
    )
    assert SETTINGS.search_max_terms == 8
    assert SETTINGS.search_max_prefixes == 3
