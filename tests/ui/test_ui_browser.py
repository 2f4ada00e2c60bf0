"""A real headless Chromium: ask, watch the answer stream in, follow a citation, open the article."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_live import LiveServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / ".artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.skip("Debian's chromium is not installed (make browser installs it)")
    return path


@pytest.fixture()
def browser_context(request: pytest.FixtureRequest) -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    size = getattr(request, "param", (1280, 860))
    width, height = (size, 860) if isinstance(size, int) else size
    with playwright_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=ARGS,
            viewport={"width": width, "height": height},
        )
        try:
            yield context
        finally:
            context.close()


def _open(context: Any, url: str) -> tuple[Any, list[str]]:
    page = context.pages[0] if context.pages else context.new_page()
    outside: list[str] = []

    def loopback_only(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", loopback_only)
    page.goto(f"{url}/ui/")
    return page, outside


def test_a_question_streams_an_answer_whose_citation_opens_the_highlighted_source(
    ui_server: LiveServer, browser_context: Any
) -> None:
    page, _outside = _open(browser_context, ui_server.url)
    # the empty screen offers questions drawn from the corpus
    page.wait_for_selector("button.nr-example", timeout=60_000)
    assert page.locator("button.nr-example:visible").count() >= 1

    box = page.locator("#nr-question textarea")
    box.fill("What is the Square Kilometre Array (SKA)?")
    box.press("Enter")  # keyboard submit
    page.wait_for_selector("#nr-chat .nr-meta", timeout=60_000)
    answer = page.locator("#nr-chat .nr-answer").last
    assert "Square Kilometre Array" in answer.inner_text()
    assert "answered in" in page.locator("#nr-chat .nr-meta").last.inner_text()
    assert page.locator("button.nr-example:visible").count() == 0

    # [1] scrolls to its source card and flashes it
    cite = answer.locator("a.nr-cite").first
    card_id = cite.get_attribute("href").lstrip("#")
    cite.click()
    card = page.locator(f"#{card_id}")
    card.wait_for(state="visible")
    assert "nr-flash" in (card.get_attribute("class") or "")
    assert len(browser_context.pages) == 1  # followed in place, no new tab
    quote = card.locator("mark.nr-quote")
    assert quote.count() == 1 and quote.inner_text().strip()

    # the whole article opens scrolled to the quoted sentence
    card.locator("button.nr-open").click()
    target = page.locator("#nr-target")
    target.wait_for(state="visible", timeout=30_000)
    assert target.inner_text().strip() == quote.inner_text().strip()
    assert target.is_visible() and target.bounding_box() is not None
    box_in_view = target.bounding_box()
    assert 0 <= box_in_view["y"] <= 860
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-article.png"))

    page.keyboard.press("Escape")
    page.locator(".nr-viewer-inner").wait_for(state="detached")
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"))


def test_follow_up_and_new_chat_in_the_browser(ui_server: LiveServer, browser_context: Any) -> None:
    page, outside = _open(browser_context, ui_server.url)
    box = page.locator("#nr-question textarea")
    box.wait_for()
    # an empty question is refused with a message, nothing freezes
    box.press("Enter")
    page.wait_for_selector("#nr-banner .nr-banner", timeout=30_000)
    assert "Type a question first." in page.locator("#nr-banner").inner_text()

    box.fill("What is the Square Kilometre Array (SKA)?")
    box.press("Enter")
    page.wait_for_selector("#nr-chat .nr-meta", timeout=60_000)
    assert page.locator("#nr-banner .nr-banner").count() == 0
    box.fill("When did its construction start?")
    box.press("Enter")
    page.locator("#nr-chat .nr-meta").nth(1).wait_for(timeout=60_000)
    assert "2021" in page.locator("#nr-chat .nr-answer").last.inner_text()
    # the follow-up is shown inline as searched, with what it was read with
    searched = page.locator("#nr-chat .nr-meta").last.locator(".nr-query")
    assert searched.is_visible() and "with the last answer" in searched.inner_text()

    page.locator("#nr-new").click()
    page.wait_for_selector("button.nr-example", timeout=30_000)
    assert page.locator("#nr-chat .nr-answer").count() == 0
    assert outside == [], f"the page tried to reach beyond loopback: {outside}"


@pytest.mark.parametrize("browser_context", [390], indirect=True)
def test_the_ui_is_readable_on_a_phone_sized_screen(
    ui_server: LiveServer, browser_context: Any
) -> None:
    page, _ = _open(browser_context, ui_server.url)
    box = page.locator("#nr-question textarea")
    box.wait_for()
    box.fill("Who won the 1998 football World Cup final?")
    box.press("Enter")
    page.wait_for_selector("#nr-chat .nr-meta", timeout=60_000)
    assert page.locator("#nr-chat .nr-abstain").count() == 1  # an abstention, shown as such
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways ({width}px wide)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-narrow.png"), full_page=True)


def _within(box: dict[str, float] | None, top: float, bottom: float) -> bool:
    return box is not None and box["y"] >= top - 1 and box["y"] + box["height"] <= bottom + 1


def _watch_failures(page: Any) -> list[str]:
    """Every failed response and console error of the page, as it happens."""
    failures: list[str] = []
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on(
        "console", lambda m: failures.append(f"console: {m.text}") if m.type == "error" else None
    )
    return failures


def _ask(page: Any, question: str, answers: int) -> None:
    box = page.locator("#nr-question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator("#nr-chat .nr-meta").nth(answers - 1).wait_for(timeout=60_000)
    page.wait_for_timeout(300)  # the last render and the scroll it triggers


@pytest.mark.parametrize(
    "browser_context", [(1280, 900), (390, 844)], indirect=True, ids=["desktop", "phone"]
)
def test_each_citation_marker_shows_its_card_with_the_quote_in_view(
    ui_server: LiveServer, browser_context: Any
) -> None:
    page, _ = _open(browser_context, ui_server.url)
    failures = _watch_failures(page)
    page.wait_for_selector("button.nr-example", timeout=60_000)
    tag = "desktop" if page.viewport_size["width"] > 720 else "phone"
    _ask(page, "What is FAST and who was its former chief scientist?", 1)
    height = page.viewport_size["height"]
    cites = page.locator("#nr-chat .nr-meta").last.locator("xpath=..").locator("a.nr-cite")
    assert cites.count() >= 2, "the seed answer cites two articles"
    ARTIFACTS.mkdir(exist_ok=True)
    for i in reversed(range(cites.count())):  # the last card first: the one that was never seen
        cite = cites.nth(i)
        cite.scroll_into_view_if_needed()
        card_id = cite.get_attribute("href").lstrip("#")
        cite.click()
        page.wait_for_timeout(200)
        card = page.locator(f"#{card_id}")
        passage = card.locator(".nr-passage")
        quote = card.locator("mark.nr-quote")
        assert quote.count() == 1
        # the quote is on the screen, and inside the visible part of its passage's scroll box
        assert _within(quote.bounding_box(), 0, height), (card_id, quote.bounding_box())
        box = passage.bounding_box()
        assert box is not None
        assert _within(quote.bounding_box(), box["y"], box["y"] + box["height"]), card_id
        assert _within(card.locator(".nr-n").bounding_box(), 0, height) or (
            card.bounding_box()["height"] > height  # a card taller than the screen shows its quote
        )
        page.screenshot(path=str(ARTIFACTS / f"ui-cite-{tag}-{card_id}.png"))
    # metadata lines show what is known: the seed articles give no source, so no byline at all
    assert "not given" not in page.locator("#nr-sources").inner_text()
    assert page.locator("#nr-sources .nr-byline").count() == 0
    assert failures == [], failures


@pytest.mark.parametrize("browser_context", [(390, 844)], indirect=True)
def test_on_a_phone_the_question_box_is_on_the_first_screen_and_a_new_question_stays_in_view(
    ui_server: LiveServer, browser_context: Any
) -> None:
    page, _ = _open(browser_context, ui_server.url)
    failures = _watch_failures(page)
    page.wait_for_selector("button.nr-example", timeout=60_000)
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-phone-first-screen.png"))
    assert page.evaluate("window.scrollY") == 0
    assert _within(page.locator("#nr-question textarea").bounding_box(), 0, 844)
    assert _within(page.locator("button.nr-example").first.bounding_box(), 0, 844)

    for n, question in enumerate(
        ["What is the Square Kilometre Array (SKA)?", "When did its construction start?"], 1
    ):
        _ask(page, question, n)
        asked = page.locator("#nr-chat .nr-user").last
        assert question in asked.inner_text()
        assert _within(asked.bounding_box(), 0, 844), asked.bounding_box()
        page.screenshot(path=str(ARTIFACTS / f"ui-phone-answer-{n}.png"))
    # the page's manifest link resolves (Gradio links it at the site root, not under /ui)
    status = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.status)"
    )
    assert status == 200
    assert failures == [], failures
