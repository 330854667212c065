"""The web page and the API docs in a real headless Chromium, with the internet blocked: load
the sample data, search, see errors, try a search from /docs, read /redoc."""

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import SAMPLE_CLIP, TEMPLATE, WORKING_DEMOS, Bake, frame_of, serving

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium off the network it cannot reach here, and sandbox-free as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"

DEMOS = TEMPLATE / "{{cookiecutter.project_slug}}" / "_demos"
GALLERY = DEMOS / "image" / "data" / "gallery"
# A query is text, or a file to pick: (name, content).
Query = str | tuple[str, bytes]

# demo -> (a query, the title of the hit it must find first, a query the API refuses and
#          the words of its error, a file it refuses and the words of that error)
PAGE_CASES: dict[str, tuple[Query, str, tuple[Query, str], tuple[str, bytes, str]]] = {
    "molecule": (
        "CC1=CC(=O)C=CC1=O",
        "1",
        ("C1CC(=O", "invalid SMILES"),
        ("bad.smi", "CCO éthanol\n".encode("latin-1"), "not UTF-8"),
    ),
    "qa": (
        "What command executes the automated tests?",
        "How do I run the test suite?",
        ("   ", "at least 1 character"),
        (
            "faq.csv",
            b"title,body\nx,y\n",
            "needs a header row with the columns question and answer",
        ),
    ),
    "image": (
        ("cat.jpg", (GALLERY / "chelsea-01.jpg").read_bytes()),
        "gallery/chelsea-01.jpg",
        (("notes.jpg", b"words, not pixels"), "not an image Pillow can read"),
        ("notes.jpg", b"words, not pixels", "no image could be read"),
    ),
    "video": (
        ("frame.jpg", frame_of(DEMOS / "video" / SAMPLE_CLIP)),
        "clips/01-cat-closeups.mp4",
        (("notes.jpg", b"words, not pixels"), "not an image Pillow can read"),
        ("notes.mp4", b"words, not frames", "no video could be read"),
    ),
}


# The JSON field a text query goes in, in a /search body.
TEXT_QUERY_FIELD = {"molecule": "smiles", "qa": "question"}

# The one request the offline docs still make: ReDoc's footer logo, which its bundle fetches from
# Redocly's CDN whatever the page says (Redocly/redoc#2108); a failed load leaves no gap.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


class Offline:
    """Lets a page reach loopback only; keeps what it tried beyond, and its console errors."""

    def __init__(self, page: object) -> None:
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        page.route("**/*", self._route)  # type: ignore[attr-defined]
        page.on("console", self._console)  # type: ignore[attr-defined]

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlsplit(url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.blocked.append(url)
            route.abort()  # type: ignore[attr-defined]

    def _console(self, message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            self.console_errors.append(message.text)  # type: ignore[attr-defined]


def enter_query(page: object, query: Query) -> None:
    if isinstance(query, tuple):
        name, content = query
        file = {"name": name, "mimeType": "image/jpeg", "buffer": content}
        page.set_input_files("#query", file)  # type: ignore[attr-defined]
    else:
        page.fill("#query", query)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser() -> object:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run should install it")
        pytest.skip(f"no Chromium at {CHROMIUM}; install Debian's chromium package")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("demo", WORKING_DEMOS)
def test_the_page_and_the_api_docs_work_offline(
    demo: str, bakes: dict[tuple[str, str], Bake], browser: object, tmp_path: Path
) -> None:
    bake = bakes[demo, "defaults"]
    query, expected_title, (bad_query, query_error), (bad_name, bad_file, file_error) = PAGE_CASES[
        demo
    ]
    with serving(bake, tmp_path) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1300})  # type: ignore[attr-defined]
        offline = Offline(page)
        page.goto(url + "/")
        page.wait_for_selector("#title:not(:text-is('Search'))")
        title = "QA" if demo == "qa" else demo.title()
        assert page.inner_text("#title") == f"Milvus {title} Search"

        page.click("#sample")
        page.wait_for_selector("#job-status:has-text('succeeded')", timeout=120_000)
        assert page.evaluate("document.getElementById('job-progress').value") > 0
        page.wait_for_selector("#counts:has-text('stored')")

        enter_query(page, query)
        page.fill("#top-k", "3")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector(".hit")
        assert page.locator(".hit").count() == 3
        assert page.locator(".hit h3").first.inner_text() == expected_title
        assert re.match(
            r"[\w' ]*similarity[\w' ]* [01]\.\d{3} · id \d+$",
            page.inner_text(".hit .score >> nth=0"),
        )
        pictures = page.locator(".hit img")
        if pictures.count():
            page.wait_for_function(
                "[...document.querySelectorAll('.hit img')].every(i => i.complete)"
            )
            assert pictures.first.evaluate("img => img.naturalWidth") > 0
        links = page.locator(".hit a")
        if links.count():  # a picture that leads to the stored file (a video: at its moment)
            status = page.evaluate(
                "fetch(document.querySelector('.hit a').href).then(r => r.status)"
            )
            assert status == 200
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{demo}.png"))

        enter_query(page, bad_query)
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#error:not([hidden])")
        assert query_error in page.inner_text("#error")

        page.set_input_files(
            "#file", {"name": bad_name, "mimeType": "text/plain", "buffer": bad_file}
        )
        page.click("#upload-form button[type=submit]")
        page.wait_for_function(
            f"document.getElementById('error').textContent.includes({file_error!r})"
        )
        # The page's own requests all stayed on loopback and found what they asked for (the
        # refused query and file answer 422, which the console reports as failed loads).
        assert offline.blocked == []
        assert [e for e in offline.console_errors if "422" not in e] == []

        try_a_search_in_swagger_ui(page, url, demo, query, expected_title)
        read_redoc(page, url)
        assert offline.blocked in ([], [REDOC_LOGO])
        page.close()


def try_a_search_in_swagger_ui(
    page: object, url: str, demo: str, query: Query, expected: str
) -> None:
    """/docs lists the operations, and "Try it out" on the search returns the expected hit."""
    page.goto(url + "/docs")  # type: ignore[attr-defined]
    page.wait_for_selector(".opblock-summary-path")  # type: ignore[attr-defined]
    paths = page.locator(".opblock-summary-path").all_inner_texts()  # type: ignore[attr-defined]
    assert {"/search", "/items", "/jobs/{job_id}", "/health"} <= set(paths)
    path = page.get_by_text("/search", exact=True)  # type: ignore[attr-defined]
    search = page.locator(".opblock-post").filter(has=path)  # type: ignore[attr-defined]
    search.locator(".opblock-summary").click()
    search.get_by_role("button", name="Try it out").click()
    if isinstance(query, tuple):
        name, content = query
        file = {"name": name, "mimeType": "image/jpeg", "buffer": content}
        search.locator("input[type=file]").set_input_files(file)
    else:
        field = TEXT_QUERY_FIELD[demo]
        search.locator("textarea.body-param__text").fill(json.dumps({field: query, "top_k": 3}))
    search.get_by_role("button", name="Execute").click()
    answer = search.locator(".live-responses-table .response")
    answer.wait_for()
    assert answer.locator(".response-col_status").inner_text().strip() == "200"
    assert json.dumps(expected) in answer.locator(".microlight").first.inner_text()


def read_redoc(page: object, url: str) -> None:
    """/redoc renders the API: its menu names the tags and the search operation."""
    page.goto(url + "/redoc")  # type: ignore[attr-defined]
    menu = page.locator(".menu-content")  # type: ignore[attr-defined]
    menu.get_by_text("search", exact=True).first.wait_for()
    assert {"items", "jobs", "search"} <= set(menu.inner_text().split())
