"""The web UI in a real browser: Debian's headless Chromium driven by Python playwright.

One `cited serve` for the module, on loopback, over a private copy of the corpus; every
test gets a fresh browser context (no cookies, no local storage). The tests click and
type as a person would and check what is on the screen.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import plain_answer

pytestmark = pytest.mark.e2e
expect.set_options(timeout=60_000)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 60_000
REPO = Path(__file__).resolve().parents[2]
TIMING_FILE = REPO / "var" / "test-output" / "ask_latency.json"
#: A question the shipped articles do not answer (they never mention either word).
OFF_TOPIC = "What is the capital of Australia?"

BEES = (
    "Keeping Bees in a Small Garden\n\n"
    "A beehive needs a sunny, sheltered corner and a source of water nearby. "
    "Inspect the brood frames every week during the swarming season.\n"
)
#: A Markdown guide whose Mac passage never says "Mac": only its heading path does.
GUIDE = (
    "# App Guide\n\n## Install\n\n### On Linux\n\n"
    "Run the installer with sudo. It takes a minute to finish and prints a summary.\n\n"
    "### On Mac\n\nDrag the app to Applications. Then open it once from Finder to approve it.\n"
)
# Were any of this markup to reach the page as markup, it would set window.__citedPwned.
HOSTILE = (
    "Sourdough <img src=x onerror=\"window.__citedPwned='title'\"> Basics\n\n"
    "Feed the sourdough starter <script>window.__citedPwned='script'</script> with flour and "
    "water every day. A starter that doubles within eight hours is ready to bake with "
    "<img src=x onerror=\"window.__citedPwned='img'\"> and "
    "<b onmouseover=\"window.__citedPwned='hover'\">bold claims</b>.\n"
)
LATENCY_QUESTIONS = [
    "Why does being less available make someone value you more?",
    "How long should no contact last?",
    "What should I do with my time while we are apart?",
    "What is the peak-end rule?",
    "Why does scarcity increase perceived value?",
    "How do I stop over-texting my partner?",
    "Is it manipulative to take space?",
    "What does reactance mean in relationships?",
    "How can absence rebuild attraction?",
    "What should I focus on during a separation?",
    "How do I make my husband miss me while I travel?",
    "Why does constant availability reduce attraction?",
    "What is the difference between space and punishment?",
    "How do I end a conversation on a high note?",
    "Should I ignore my ex completely?",
    "How do I keep some mystery in a relationship?",
    "What builds anticipation between two people?",
    "How do I become more independent?",
    "What does a psychologist say about missing someone?",
    "Why do people want what they cannot have?",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(prebuilt_server):
    return prebuilt_server


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser, server):
    yield from _open_page(browser, server, DESKTOP)


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def any_page(browser, server, request):
    """The page at a phone's viewport (390 × 844) and at a desktop's."""
    yield from _open_page(browser, server, request.param)


def _open_page(browser, server, viewport):
    context = browser.new_context(
        viewport=viewport,
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.elsewhere = []  # requests to anywhere but the server
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((server.url, "data:", "blob:"))
            else page.elsewhere.append(r.url)
        ),
    )
    page.goto(server.url)
    page.wait_for_selector("#cited-question textarea")
    yield page
    context.close()


def snap(page, name: str, full_page: bool = False, height: int | None = None) -> None:
    """With CITED_SCREENSHOTS=DIR, save what the screen shows as DIR/NAME.png (for the README)."""
    folder = os.environ.get("CITED_SCREENSHOTS")
    if folder:
        size = page.viewport_size
        if height:
            page.set_viewport_size({"width": size["width"], "height": height})
        page.mouse.move(1, 1)
        page.wait_for_timeout(400)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)
        page.set_viewport_size(size)


def ask(page, question: str) -> None:
    """Type the question, press Ask, and wait until the answer to it is on the screen."""
    page.fill("#cited-question textarea", question)
    forget_answer(page)
    page.click("#cited-ask")
    wait_for_answer(page, question)


def forget_answer(page) -> None:
    """Unmark the answer on screen, so waiting for the next one never sees a stale one."""
    page.evaluate(
        "() => { const v = document.querySelector('#cited-answer .cited-answer-view');"
        " if (v) v.dataset.question = ''; }"
    )


def wait_for_answer(page, question: str) -> None:
    page.wait_for_function(
        "q => document.querySelector('#cited-answer .cited-answer-view')?.dataset.question === q",
        arg=question,
    )


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def library_status(page, text: str) -> None:
    page.locator("#cited-library-status").get_by_text(text).first.wait_for()


def upload(page, path: Path) -> None:
    open_tab(page, "Library")
    page.set_input_files("#cited-upload input[type=file]", str(path))
    library_status(page, f"Added {path.name.lower()}")


def rebuild(page) -> None:
    open_tab(page, "Library")
    page.click("#cited-rebuild")
    library_status(page, "Rebuilt in")


def test_an_example_question_the_folder_answers_is_asked_with_one_click(page):
    offered = page.locator("#cited-examples button.cited-example")
    offered.first.wait_for()
    assert offered.count() == 5
    question = offered.nth(4).inner_text()
    forget_answer(page)
    offered.nth(4).click()
    wait_for_answer(page, question)
    assert page.locator("#cited-answer .cited-quote").count() >= 1


def test_an_answer_shows_quotes_with_the_answering_sentence_and_the_caveats(page):
    ask(page, "Why does being less available make someone value you more?")
    cards = page.locator("#cited-answer .cited-quote")
    assert cards.count() >= 2
    first = cards.first
    assert first.locator("mark.cited-answer").inner_text().strip()
    header = first.locator("header").inner_text()
    assert "[1]" in header and "¶" in header and "score" in header
    caveats = page.locator("#cited-answer .cited-caveats")
    assert caveats.get_by_text("What these articles caution").is_visible()
    assert caveats.locator("h4").count() >= 1  # grouped by article
    recent = page.locator("#cited-recent button.cited-recent")
    assert recent.first.inner_text().startswith("Why does being less available")
    snap(page, "ask-desktop")
    assert page.elsewhere == []  # the page loads nothing from the network


def test_copy_as_markdown_puts_the_cited_answer_on_the_clipboard(page):
    ask(page, "What is the peak-end rule?")
    page.click("#cited-copy")
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.includes('**Q:**'))")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "**Q:** What is the peak-end rule?" in copied
    assert "[1]" in copied and "**Sources**" in copied
    first_file = page.locator("#cited-answer .cited-quote .cited-file").first.inner_text()
    receipt = f"`{first_file.split(' · ')[0]}` · chars "
    assert receipt in copied  # each quote's receipt: file and offsets (and sha256 if known)


def test_manipulative_and_unrelated_questions_get_a_visible_notice(page):
    ask(page, "How can I make him jealous so he comes back?")
    view = page.locator("#cited-answer .cited-answer-view")
    assert view.locator(".cited-notice.cited-warning").is_visible()
    assert view.locator(".cited-caveats.cited-leading").is_visible()
    ask(page, "What is the capital of Australia?")
    assert view.locator(".cited-notice.cited-abstain").is_visible()
    assert view.locator(".cited-quote").count() == 0
    # a recent question asks again with one click
    forget_answer(page)
    page.locator("#cited-recent button.cited-recent", has_text="jealous").click()
    wait_for_answer(page, "How can I make him jealous so he comes back?")
    assert view.locator(".cited-notice.cited-warning").is_visible()


def _luminance(css_color: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_an_abstention_shows_its_nearest_passage_greyed_on_request(any_page, server):
    page = any_page
    expected = plain_answer(server.url, OFF_TOPIC)["abstention"]
    near = expected["nearest"]
    ask(page, OFF_TOPIC)
    view = page.locator("#cited-answer .cited-answer-view")
    control = view.locator("details.cited-nearest > summary")
    expect(control).to_have_text("Show nearest passage")
    passage = view.locator(".cited-nearest-passage")
    expect(passage).to_be_hidden()  # only on request
    control.focus()
    page.keyboard.press("Enter")  # a keyboard opens it, as a click does
    expect(passage).to_be_visible()
    score, threshold = f"{near['score']:.2f}", f"{near['threshold']:.2f}"
    assert score != threshold  # else the page shows three decimals
    expect(view.locator(".cited-nearest-score")).to_have_text(
        f"Not quoted: score {score} — below this folder's threshold {threshold}."
    )
    expect(view.locator(".cited-nearest-missing")).to_contain_text(
        "These articles never mention: " + ", ".join(expected["never_mentioned"])
    )
    body = passage.locator("blockquote")
    assert " ".join(body.inner_text().split()) == " ".join(near["text"].split())
    header = passage.locator("header").inner_text()
    assert near["source"]["title"] in header and f"score {score}" in header and "¶" in header
    grey = body.evaluate("el => getComputedStyle(el).color")
    text = page.locator("#cited-question textarea").evaluate("el => getComputedStyle(el).color")
    assert _luminance(grey) > _luminance(text) + 40, (grey, text)  # greyed, not quoted
    passage.get_by_text("Read in context").click()
    target = page.locator("#cited-read #cited-target")
    target.wait_for()
    assert near["text"].strip().startswith(target.inner_text().strip()[:40])
    nothing_off_to_the_side(page)


def test_an_answer_that_quotes_has_no_nearest_control(page):
    ask(page, "What is the peak-end rule?")
    assert page.locator("#cited-answer .cited-quote").count() >= 1
    assert page.locator("#cited-answer details.cited-nearest").count() == 0


def test_a_citation_opens_the_article_at_the_quoted_passage(page):
    ask(page, "What is the peak-end rule?")
    card = page.locator("#cited-answer .cited-quote").first
    quote = card.locator("blockquote").inner_text()
    card.get_by_text("Read in context").click()
    target = page.locator("#cited-read #cited-target")
    target.wait_for()
    assert page.get_by_role("tab", name="Read").get_attribute("aria-selected") == "true"
    assert quote.strip().startswith(target.inner_text().strip()[:40])
    page.wait_for_function(
        "() => { const r = document.querySelector('#cited-target').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }"
    )
    assert page.locator("#cited-read h2.cited-doc-h").count() >= 2  # sections as headings
    assert page.locator("#cited-read mark.cited-caveat").count() >= 1  # its caveats marked
    snap(page, "read-desktop")


def test_upload_rebuild_ask_then_delete_rebuild_and_it_is_gone(page, tmp_path):
    article = tmp_path / "Keeping-Bees.txt"
    article.write_text(BEES)
    upload(page, article)
    row = page.locator('#cited-library tr[data-file="keeping-bees.txt"]')
    expect(row).to_contain_text("Not indexed yet")
    snap(page, "library-desktop", full_page=True)
    rebuild(page)
    expect(row).to_contain_text("Indexed")
    open_tab(page, "Ask")
    ask(page, "Where should a beehive stand?")
    first = page.locator("#cited-answer .cited-quote").first
    assert "keeping-bees.txt" in first.locator("footer").inner_text()

    open_tab(page, "Library")
    row.locator("button[data-action=delete]").click()
    confirm = page.locator("#cited-confirm")
    confirm.get_by_text("Delete keeping-bees.txt?").wait_for()
    page.click("#cited-confirm-delete")
    library_status(page, "Deleted keeping-bees.txt")
    expect(row).to_contain_text("File deleted")
    rebuild(page)
    row.wait_for(state="detached")
    open_tab(page, "Ask")
    ask(page, "Where should I put a beehive in the garden?")
    footers = page.locator("#cited-answer .cited-quote footer").all_inner_texts()
    assert not any("keeping-bees.txt" in f for f in footers)


def test_a_citation_names_the_headings_its_quote_stands_under(page, tmp_path):
    article = tmp_path / "app-guide.md"
    article.write_text(GUIDE)
    upload(page, article)
    rebuild(page)
    open_tab(page, "Ask")
    ask(page, "How do I install the app on a Mac?")
    card = page.locator("#cited-answer .cited-quote").filter(has_text="Drag the app")
    expect(card.locator(".cited-heading")).to_contain_text("App Guide — Install › On Mac")


def test_markup_in_an_article_is_shown_as_text_and_runs_nothing(page, tmp_path):
    article = tmp_path / "sourdough.txt"
    article.write_text(HOSTILE)
    upload(page, article)
    rebuild(page)
    title = "Sourdough <img src=x onerror=\"window.__citedPwned='title'\"> Basics"
    listed = page.locator("#cited-library").get_by_text(title)
    listed.wait_for(state="visible", timeout=30_000)  # the list refreshes after the status
    assert listed.is_visible()
    open_tab(page, "Ask")
    ask(page, "How often should I feed a sourdough starter?")
    answer = page.locator("#cited-answer").inner_text()
    assert "<script>window.__citedPwned='script'</script>" in answer
    page.locator("#cited-answer .cited-quote").first.get_by_text("Read in context").click()
    page.locator("#cited-read #cited-target").wait_for()
    page.locator("#cited-read").get_by_text("bold claims").hover()
    reader = page.locator("#cited-read").inner_text()
    assert "<img src=x onerror=\"window.__citedPwned='img'\">" in reader
    assert title in reader
    assert page.locator("#cited-read img, #cited-answer img, #cited-library img").count() == 0
    assert page.evaluate("() => window.__citedPwned") is None


def test_time_from_ask_to_answer_on_screen(page, capsys):
    """Not an assertion on speed: measures and reports the median of 20 asks."""
    timings = []
    for question in LATENCY_QUESTIONS:
        page.fill("#cited-question textarea", question)
        forget_answer(page)
        started = time.perf_counter()
        page.click("#cited-ask")
        wait_for_answer(page, question)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    TIMING_FILE.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "what": "click on Ask until the answer is on screen, headless Chromium, loopback",
        "asks": len(timings),
        "median_seconds": round(median, 3),
        "min_seconds": round(min(timings), 3),
        "max_seconds": round(max(timings), 3),
    }
    TIMING_FILE.write_text(json.dumps(report, indent=2) + "\n")
    with capsys.disabled():
        print(f"\nask-to-answer median of {len(timings)}: {median * 1000:.0f} ms ({TIMING_FILE})")
    assert len(timings) == len(LATENCY_QUESTIONS)


# --- a phone (390 × 844) as well as a desktop: every control reachable -----------------------


def reachable(page, locator) -> None:
    """Scrolled to, `locator` lies inside the viewport, is not covered, and takes a click."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    view = page.viewport_size
    assert box is not None, locator
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"] + 1, (locator, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"] + 1, (locator, box)
    covered = ""
    for _ in range(20):  # a moment for the page to settle (a toast, a tab's fade)
        covered = locator.evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
            " return el === hit || el.contains(hit) ? ''"
            " : (hit ? hit.outerHTML.slice(0, 200) : 'nothing'); }"
        )
        if not covered:
            break
        page.wait_for_timeout(150)
    assert not covered, f"{locator} is covered by {covered}"
    locator.click(trial=True)  # Playwright's actionability checks, without clicking


def nothing_off_to_the_side(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def size_name(page) -> str:
    return "phone" if page.viewport_size["width"] < 600 else "desktop"


def test_every_control_of_every_view_is_reachable(any_page):
    page = any_page
    for selector in ("#cited-question textarea", "#cited-ask", "#cited-settings button"):
        reachable(page, page.locator(selector).first)
    ask(page, "Why does being less available make someone value you more?")
    page.wait_for_timeout(300)  # the scroll to the answer
    snap(page, f"ask-{size_name(page)}")
    card = page.locator("#cited-answer .cited-quote").first
    reachable(page, card.get_by_text("Read in context"))
    reachable(page, page.locator("#cited-copy"))
    if size_name(page) == "phone":
        reachable(page, page.locator("#cited-answer .cited-caveat-summary"))
    else:
        reachable(page, page.locator("#cited-answer .cited-caveats a.cited-open").first)
    nothing_off_to_the_side(page)
    ask(page, OFF_TOPIC)
    nearest = page.locator("#cited-answer details.cited-nearest > summary")
    reachable(page, nearest)
    nearest.click()
    nearest.evaluate("el => el.closest('.cited-answer-view').scrollIntoView({block: 'start'})")
    snap(page, f"ask-nearest-{size_name(page)}")
    reachable(page, page.locator("#cited-answer .cited-nearest-passage a.cited-open"))
    nothing_off_to_the_side(page)

    open_tab(page, "Library")
    page.locator("#cited-library tr[data-file]").first.wait_for()
    for selector in ("#cited-upload", "#cited-rebuild", "#cited-refresh"):
        reachable(page, page.locator(selector))
    cards = page.locator("#cited-library tr[data-file]")
    assert cards.count() >= 5
    for i in range(cards.count()):
        reachable(page, cards.nth(i).locator("button[data-action=read]"))
        reachable(page, cards.nth(i).locator("button[data-action=delete]"))
    nothing_off_to_the_side(page)
    snap(page, f"library-{size_name(page)}", full_page=size_name(page) == "phone")

    cards.first.locator("button[data-action=read]").click()
    page.locator("#cited-read .cited-doc").wait_for()
    reachable(page, page.locator("#cited-read-doc input"))
    reachable(page, page.locator("#cited-back"))
    nothing_off_to_the_side(page)


def test_on_a_phone_the_answer_comes_into_view_and_a_summary_opens_the_cautions(browser, server):
    for page in _open_page(browser, server, PHONE):
        ask(page, "Why does being less available make someone value you more?")
        view = page.locator("#cited-answer .cited-answer-view")
        page.wait_for_function(
            "() => { const r = document.querySelector('#cited-answer .cited-answer-view')"
            ".getBoundingClientRect(); return r.top > -5 && r.top < window.innerHeight / 2; }"
        )
        summary = view.locator(".cited-caveat-summary")
        expect(summary).to_have_text(re.compile(r"^\d+ cautions? from these articles$"))
        first_quote = view.locator(".cited-quote").first
        assert summary.bounding_box()["y"] < first_quote.bounding_box()["y"]
        panel = view.locator(".cited-side .cited-caveats")
        expect(panel).to_be_hidden()
        summary.click()
        expect(panel).to_be_visible()
        assert panel.bounding_box()["y"] < first_quote.bounding_box()["y"]


def test_read_shows_the_passage_below_its_header_with_the_sentence_marked(any_page):
    page = any_page
    ask(page, "What is the peak-end rule?")
    card = page.locator("#cited-answer .cited-quote").first
    sentence = card.locator("mark.cited-answer").inner_text().strip()
    card.get_by_text("Read in context").click()
    page.locator("#cited-read #cited-target").wait_for()
    page.wait_for_timeout(300)  # the scroll runs just after the article is drawn
    top = page.locator("#cited-target").bounding_box()["y"]
    head = page.locator("#cited-read .cited-doc-head").bounding_box()
    assert head["y"] + head["height"] <= top < page.viewport_size["height"] - 40
    marked = page.locator("#cited-read .cited-doc > :not(header) mark.cited-sentence")
    marked = marked.all_inner_texts()  # one mark a block: a highlight may span two lines
    assert " ".join(marked).split() == sentence.split()  # the sentence, not the whole passage
    snap(page, f"read-{size_name(page)}")


def test_earlier_answers_stay_on_the_page_folded_newest_first(page):
    # waits for it: under load Gradio may draw the Markdown a moment after the question box
    expect(page.locator("#cited-alone").get_by_text("searched on its own")).to_be_visible()
    questions = [
        "What is the peak-end rule?",
        "How long should no contact last?",
        "What is reactance?",
    ]
    for question in questions:
        ask(page, question)
    earlier = page.locator("#cited-history details.cited-earlier")
    expect(earlier).to_have_count(2)
    assert earlier.locator("summary").all_inner_texts() == [questions[1], questions[0]]
    assert earlier.first.get_attribute("open") is None  # folded
    earlier.first.locator("summary").click()
    expect(earlier.first.locator(".cited-quote").first).to_be_visible()


def test_a_rebuild_marks_the_answer_old_and_closes_a_deleted_article(page, tmp_path):
    article = tmp_path / "Hives.txt"
    article.write_text(BEES.replace("Keeping Bees", "Hives"))
    upload(page, article)
    rebuild(page)
    open_tab(page, "Ask")
    ask(page, "Where should a beehive stand?")
    card = page.locator("#cited-answer .cited-quote", has_text="hives.txt").first
    card.get_by_text("Read in context").click()
    page.locator("#cited-read #cited-target").wait_for()

    open_tab(page, "Library")
    page.locator('#cited-library tr[data-file="hives.txt"] button[data-action=delete]').click()
    page.click("#cited-confirm-delete")
    library_status(page, "Deleted hives.txt")
    rebuild(page)
    open_tab(page, "Read")
    expect(page.locator("#cited-read")).to_contain_text("Article closed")
    open_tab(page, "Ask")
    stale = page.locator("#cited-stale .cited-stale")
    expect(stale).to_contain_text("older version of the articles")
    forget_answer(page)
    stale.get_by_role("button", name="Ask again").click()
    wait_for_answer(page, "Where should a beehive stand?")
    expect(stale).to_have_count(0)
