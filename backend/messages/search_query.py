"""A search query's terms, and the bound on what it may cost (issue 31: search cost).

`parse` reads a websearch-style query into its distinct terms; `check_cost` refuses, before
any work, a query over the caps (`CHATTY_SEARCH_MAX_TERMS`, `CHATTY_SEARCH_MAX_PREFIXES`,
`CHATTY_SEARCH_PREFIX_MIN_CHARS`); `timed_out` recognises PostgreSQL's statement timeout.
"""

from __future__ import annotations

import re

from backend.settings.config import Settings
from backend.shapes.errors import ValidationFailed

_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
_WORD = re.compile(r"\w+")


def parse(q: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """(words, phrases, prefixes, exclusions) of a websearch-style query."""
    words: list[str] = []
    phrases: list[str] = []
    prefixes: list[str] = []
    excluded: list[str] = []
    for m in _TOKEN.finditer(q):
        negative, text = (m.group(1), m.group(2)) if m.group(2) is not None else m.group(3, 4)
        terms = _WORD.findall(text)
        if not terms:
            continue
        if negative:
            excluded.extend(terms)
        elif m.group(2) is not None and len(terms) > 1:
            phrases.append(" ".join(terms))
        elif text.endswith("*") and len(terms) == 1:
            prefixes.append(terms[0])
        else:
            words.extend(terms)
    return _unique(words), _unique(phrases), _unique(prefixes), _unique(excluded)


def _unique(terms: list[str]) -> list[str]:
    """Each term once, in first-use order, compared as the index does (case-folded)."""
    return list({t.casefold(): t for t in reversed(terms)}.values())[::-1]


def check_cost(q: str, settings: Settings) -> None:
    """Refuse, before any work, a query whose cost is not bounded by the settings' caps."""
    words, phrases, prefixes, excluded = parse(q)
    problems = []
    if len(words) + len(phrases) + len(prefixes) + len(excluded) > settings.search_max_terms:
        problems.append(f"at most {settings.search_max_terms} distinct terms")
    if len(prefixes) > settings.search_max_prefixes:
        problems.append(f"at most {settings.search_max_prefixes} distinct prefixes (term*)")
    short = [p for p in prefixes if len(p) < settings.search_prefix_min_chars]
    if short:
        problems.append(
            f"a prefix needs {settings.search_prefix_min_chars}+ characters: {short[0][:20]}*"
        )
    if problems:
        raise ValidationFailed(details={"q": problems})


class SearchTooSlow(ValidationFailed):
    """The statement timeout cut the search: the query, not the server, is at fault."""


def timed_out(exc: BaseException) -> bool:
    """PostgreSQL's `query_canceled` (57014) anywhere in the chain Tortoise wraps it in."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) == "57014":
            return True
        seen = seen.__cause__ or seen.__context__
    return False
