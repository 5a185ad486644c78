"""The pages without JavaScript: plain form posts and links, through a real server.

A user with scripts off (or a screen reader, or a slow phone) gets the whole
report from the form post; every highlighted span links to a finding that
exists; on any error the text they typed is still in the box.
"""

from __future__ import annotations

import html
import re

import pytest

pytestmark = pytest.mark.server

FLAWED_DRAFT = (
    "Objective: Make our help centre the first place customers look\n"
    "- Write 20 new help articles\n"
    "- Cut tickets about password resets from 300 to 120 a month\n"
)


def textarea(page: str) -> str:
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert match, "the page has a textarea"
    return html.unescape(match.group(1))


@pytest.fixture(scope="module")
def web(live_server):
    with live_server.client() as client:
        yield client


def test_form_post_renders_the_report(web):
    r = web.post("/", data={"text": FLAWED_DRAFT})
    assert r.status_code == 200
    page = r.text
    assert textarea(page) == FLAWED_DRAFT
    assert re.search(r'class="score-value">\d+</strong>/100', page)
    # four label badges per key result
    assert page.count('<p class="badges">') == 2
    assert ">task</span>" in page and ">outcome</span>" in page
    # the flawed verb is highlighted and links to its finding, which shows message and fix
    mark = re.search(r'<mark class="sev-error"[^>]*><a href="#(f\d+)"[^>]*>Write</a></mark>', page)
    assert mark, "the task verb is highlighted"
    finding = re.search(rf'<li class="finding sev-error" id="{mark.group(1)}">(.*?)</li>', page, re.S)
    assert finding and "OKR-K001" in finding.group(1) and "Fix:" in finding.group(1)
    # every link into the report has a target
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    for ref in re.findall(r'href="#([^"]+)"', page):
        assert ref in ids, ref


def test_rewrites_have_copy_buttons(web):
    page = web.post("/", data={"text": "Objective: Happier customers\n- Keep CSAT at 90%\n"}).text
    assert "Suggested rewrites" in page
    buttons = re.findall(r'<button type="button" class="copy" data-copy="([^"]+)"', page)
    assert buttons and all(b.strip() for b in buttons)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste a draft first"),
        ("   \n\t", "Paste a draft first"),
        ("Objective: Grow\n- Raise revenue from 1 to 2\n" + "x" * 20_000, "the limit is 20,000"),
        ("\x00\x01\x02 binary junk", "binary"),
    ],
    ids=["empty", "blank", "too-long", "binary"],
)
def test_errors_keep_the_text(web, text, message):
    r = web.post("/", data={"text": text})
    assert r.status_code == 422
    page = r.text
    assert 'role="alert"' in page and message in page
    assert textarea(page) == text.replace("\r\n", "\n")
    assert 'aria-invalid="true"' in page


def test_wrong_form_encoding_still_renders_the_page(web):
    r = web.post("/", content=b"text=%ff%fe", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code in (200, 422) and "<textarea" in r.text
    r = web.post("/", json={"text": "not a form"})
    assert r.status_code == 422 and "<textarea" in r.text


def test_sample_and_fragment(web):
    sample = textarea(web.get("/?sample=1").text)
    assert sample.startswith("Objective:")
    fragment = web.post("/fragments/report", data={"text": sample})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "score-value" in fragment.text


def test_examples_page_and_markdown_download(web):
    blank = web.get("/examples")
    assert blank.status_code == 200 and '<select id="department"' in blank.text
    params = {
        "department": "support",
        "count": "2",
        "level": "team",
        "seed": "5",
        "workshop": "true",
        "parent": "Customers get answers faster",
    }
    page = web.get("/examples", params=params).text
    objectives = [html.unescape(o) for o in re.findall(r"<h3>Objective: (.*?)</h3>", page)]
    assert len(objectives) == 2
    assert "Workshop: spot the flaw" in page and "Seed 5" in page
    link = re.search(r'<a class="button" href="(/examples\.md\?[^"]+)" download>', page)
    assert link
    md = web.get(html.unescape(link.group(1)))
    assert md.status_code == 200
    assert md.headers["content-type"].startswith("text/markdown")
    assert 'filename="okr-examples-support.md"' in md.headers["content-disposition"]
    for objective in objectives:  # the download is the same set as the page
        assert objective in md.text


def test_examples_page_errors_keep_the_choices(web):
    r = web.get("/examples", params={"department": "support", "count": "many", "parent": "Keep me"})
    assert r.status_code == 422
    assert "whole numbers" in r.text and 'value="Keep me"' in r.text and 'value="many"' in r.text
    r = web.get("/examples", params={"department": "astrology"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    md = web.get("/examples.md", params={"department": "astrology"})
    assert md.status_code == 422 and md.json()["error"]["field"] == "department"


def test_rules_page_lists_the_catalogue(web):
    ids = [r["id"] for r in web.get("/v1/rules").json()["rules"]]
    page = web.get("/rules").text
    for rule_id in ids:
        assert f'id="{rule_id}"' in page
    for heading in ("What it checks", "Why it matters", "Example", "Instead"):
        assert heading in page


def test_pages_have_landmarks_labels_and_no_inline_script(web):
    for path in ("/", "/examples", "/rules"):
        page = web.get(path).text
        assert '<html lang="en">' in page
        assert 'class="skip" href="#main"' in page and '<main id="main"' in page
        assert 'name="viewport"' in page
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag, "scripts come from files (the CSP forbids inline ones)"
        assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"
        assert "style=" not in page
        for control in re.findall(r'<(?:textarea|select|input)[^>]*\sid="([^"]+)"', page):
            assert f'for="{control}"' in page or control == "live", f"{path}: #{control} has a label"


def test_head_requests_on_pages(live_server) -> None:
    """Uptime checkers and proxies send HEAD; pages answer it like GET, without a body."""
    with live_server.client() as client:
        for path in ("/", "/rules"):
            r = client.head(path)
            assert r.status_code == 200, path
            assert r.content == b""
