"""The pages in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

What only a browser shows: the highlighted span is visible and jumps to its
finding, live feedback arrives after typing, the form works from the keyboard
alone, the CSP lets our own script run, and the layout fits a phone.
Screenshots land in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FLAWED_DRAFT = (
    "Objective: Make our warehouse the fastest in the region\n"
    "- Organise a kickoff meeting with the pickers\n"
    "- Cut average order pick time from 14 minutes to 9 minutes\n"
)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=live_server.url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # a 422 page is expected where a test submits bad input; anything else (a 404 asset, a CSP block) is not
    pg.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "status of 422" not in msg.text else None
        ),
    )
    yield pg
    context.close()
    assert not errors, f"browser errors: {errors}"


def test_paste_submit_and_follow_the_highlight(page, artifacts_dir):
    page.goto("/")
    page.fill("#text", FLAWED_DRAFT)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    mark = page.locator("pre.draft mark.sev-error").first
    sync_api.expect(mark).to_be_visible()
    sync_api.expect(mark).to_contain_text("Organise")
    # the highlight has a visible colour of its own
    background = mark.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    mark.locator("a").click()
    assert page.url.endswith("#" + mark.locator("a").get_attribute("href").lstrip("#"))
    target = page.locator(page.url[page.url.index("#") :])
    sync_api.expect(target).to_be_in_viewport()
    sync_api.expect(target).to_contain_text("OKR-K001")
    sync_api.expect(target.locator(".fix")).to_contain_text("Fix:")
    assert page.locator("#text").input_value() == FLAWED_DRAFT
    page.screenshot(path=str(artifacts_dir / "report-desktop.png"), full_page=True)


def test_live_feedback_after_typing(page, live_server):
    live_url = live_server.url
    page.goto("/")
    sync_api.expect(page.locator("#live-toggle")).to_be_visible()  # shown only when the script runs
    sync_api.expect(page.locator("#report .score")).to_have_count(0)
    page.locator("#text").press_sequentially(
        "Objective: Faster picking\n- Organise a meeting with pickers", delay=5
    )
    # no submit: the debounced script fetches the report fragment
    sync_api.expect(page.locator("#report .score-value")).to_be_visible(timeout=15_000)
    sync_api.expect(page.locator("#report mark.sev-error", has_text="Organise")).to_be_visible()
    sync_api.expect(page.locator("#live-status")).to_contain_text("Report updated")
    assert page.url == live_url + "/", "the page was not submitted"


def test_keyboard_only(page, artifacts_dir):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip", "the first Tab reaches the skip link"
    sync_api.expect(page.locator("a.skip")).to_be_in_viewport()
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "text":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.type("Objective: Faster picking\n- Organise a meeting with pickers")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows where focus is"
    page.screenshot(path=str(artifacts_dir / "keyboard-focus.png"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    sync_api.expect(page.locator(".score-value")).to_be_visible()
    assert "Organise" in page.locator("#text").input_value()


def test_error_keeps_the_text(page):
    page.goto("/")
    junk = "just some words, no objective here \x01"
    page.fill("#text", junk)
    page.locator("#live").uncheck()
    page.click("button[type=submit]")
    page.wait_for_load_state()
    long_text = "Objective: Grow\n- " + "y" * 20_010
    page.fill("#text", long_text)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    sync_api.expect(page.locator("#form-error")).to_contain_text("20,000")
    assert page.locator("#text").input_value() == long_text
    assert page.locator("#text").get_attribute("aria-invalid") == "true"


def test_generate_examples(page, artifacts_dir):
    page.goto("/examples")
    page.select_option("#department", "sales")
    page.select_option("#level", "company")
    page.fill("#count", "2")
    page.fill("#seed", "42")
    page.check("input[name=workshop]")
    page.click("form.examples-form button[type=submit]")
    page.wait_for_load_state()
    sync_api.expect(page.locator("article.example")).to_have_count(2)
    sync_api.expect(page.locator("ol.workshop li").first).to_be_visible()
    sync_api.expect(page.locator("button.print")).to_be_visible()
    with page.expect_download() as download_info:
        page.click("text=Download Markdown")
    download = download_info.value
    path = artifacts_dir / download.suggested_filename
    download.save_as(path)
    markdown = path.read_text()
    first_objective = page.locator("article.example h3").first.inner_text().removeprefix("Objective: ")
    assert first_objective in markdown
    page.emulate_media(media="print")
    sync_api.expect(page.locator("form.examples-form")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "examples-print.png"), full_page=True)


def test_phone_width(browser, live_server, artifacts_dir):
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    try:
        page.goto("/?sample=1")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        sync_api.expect(page.locator(".score-value")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 375px"
        box = page.locator("#text").bounding_box()
        assert box and box["width"] <= 375
        page.screenshot(path=str(artifacts_dir / "report-phone.png"), full_page=True)
        page.goto("/examples?department=support&count=1&seed=9")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        page.screenshot(path=str(artifacts_dir / "examples-phone.png"), full_page=True)
    finally:
        context.close()


def test_docs_page_renders_offline(page):
    page.goto("/docs")
    sync_api.expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible(timeout=15_000)
    sync_api.expect(page.locator(".opblock-summary-path", has_text="/v1/check").first).to_be_visible()
