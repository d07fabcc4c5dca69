"""Stored message bodies and display names never carry script (contract §2)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from tests.support.clients import Api, Connect

pytestmark = pytest.mark.integration

# OWASP XSS filter-evasion cheat sheet style vectors, plus a few of our own.
VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    '&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"> ',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<SCRIPT/SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,'
    'PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnL'
    'zIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JAVASCRIPT:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="java&#115;cript:alert(1)">click</a>',
    "<b onclick=alert(1)>bold</b>",
    '<code style="x:expression(alert(1))">c</code>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)">',
    "<form><button formaction=javascript:alert(1)>X</button></form>",
    "<!--<script>alert(1)</script>-->text",
    '<a href="https://example.com" target="_blank" onclick="x()">ok</a>',
]

# The contract's subset plus the blocks Markdown renders to (README "Formatting").
SAFE_TAGS = {"b", "i", "em", "strong", "code", "pre", "a", "blockquote", "ul", "ol", "li", "del"}
SAFE_TAGS |= {"br"}
# The corpus again, through Markdown constructs: inside links, quotes, lists, emphasis, code.
MARKDOWN_VECTORS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '[click](https://example.com" onclick="alert(1))',
    "![img](javascript:alert(1))",
    "![img](https://example.com/x.png)",
    "<javascript:alert(1)>",
    "[a]: javascript:alert(1)\n\n[a]",
    "**<img src=x onerror=alert(1)>**",
    "> <script>alert(1)</script>",
    "- <svg/onload=alert(1)>\n- [x](javascript:alert(1))",
    "~~<iframe src=javascript:alert(1)>~~",
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "https://example.com/<script>alert(1)</script>",
    'www.example.com/"onmouseover="alert(1)',
    '<a href="https://example.com">**[x](javascript:alert(1))**</a>',
]
MARKDOWN_VECTORS += [f"**{v}**" for v in VECTORS[:20]] + [f"> {v}" for v in VECTORS[20:40]]

URL_ATTRS = {"href", "src", "action", "formaction", "background", "dynsrc", "lowsrc", "data"}


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}")
            safe_url = (value or "").strip().lower().startswith(("http://", "https://"))
            if name in URL_ATTRS and not safe_url:
                self.problems.append(f"url {name}={value}")
            if tag == "a" and name == "rel":
                assert value == "noopener noreferrer nofollow"


def assert_safe(html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    assert not inspector.problems, (html, inspector.problems)
    assert "<script" not in html.lower()


def test_corpus_is_big_enough() -> None:
    assert len(VECTORS) >= 50


async def test_xss_vectors_are_cleaned_in_messages(
    pg_app_url: str, api_at: Callable[[str], Api], connect: Connect
) -> None:
    user = await api_at(pg_app_url).register()
    room = await user.api.create_room()
    live = await connect(pg_app_url, user.token)
    sent = 0
    for vector in VECTORS + MARKDOWN_VECTORS:
        ack = await live.send(room["id"], vector + " tail", str(uuid.uuid4()))
        assert ack["ok"] or ack["error"]["code"] == "validation_error", ack
        sent += ack["ok"]
    await live.wait_until(lambda: len(live.messages(room["id"])) == sent)
    history = await user.api.all_history(room["id"])
    assert len(history) == sent
    for message in history:
        assert_safe(message["body"])
    for message in live.messages(room["id"]):
        assert_safe(message["body"])


async def test_xss_vectors_are_cleaned_in_display_names(
    pg_app_url: str, api_at: Callable[[str], Api]
) -> None:
    api = api_at(pg_app_url)

    async def register(vector: str) -> None:
        name = f"x{uuid.uuid4().hex[:12]}"
        status, body = await api.call(
            "POST",
            "/api/v1/auth/register",
            {"username": name, "password": "password123", "display_name": vector[:64]},
        )
        assert status in (201, 422), body
        if status == 201:
            display = body["user"]["display_name"]
            assert "<" not in display
            assert ">" not in display

    await asyncio.gather(*(register(v) for v in VECTORS))
