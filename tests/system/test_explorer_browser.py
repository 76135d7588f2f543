"""GraphiQL and Swagger UI in a real headless Chromium against the real server: a token, a query,
a mutation in the explorer; the REST operations drawn in the docs; nothing loaded from elsewhere."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from playwright.async_api import ConsoleMessage, Page, Request, Response, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from tests.support.auth import token_for
from tests.support.ci import missing

pytestmark = pytest.mark.browser

pytest_plugins = ["tests.support.live_server"]  # the `server` fixture

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).resolve().parents[1] / "artifacts" / "explorer.png"
TIMEOUT_MS = 30_000

QUERY_EDITOR = 'section[aria-label="Query Editor"] .CodeMirror'
HEADERS_EDITOR = 'section[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror'
RESULT = 'section[aria-label="Result Window"] .CodeMirror'
RUN = 'button[aria-label="Execute query (Ctrl-Enter)"]'

# Chromium reports CSP violations as console errors too; this also catches silent ones.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium, checked before the server starts; under CI=true missing is a failure."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing (Debian: apt-get install chromium; `make test` as root)"
        missing(message)
    return str(CHROMIUM)


class Watch:
    """Every request, failed response, console error and uncaught error of a page."""

    violations: list[str]

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.failures.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


async def editor_text(page: Page, selector: str) -> str:
    """What a GraphiQL pane holds (its CodeMirror's value, not just the lines drawn)."""
    text: str = await page.locator(selector).evaluate("element => element.CodeMirror.getValue()")
    return text


async def paste(page: Page, selector: str, text: str) -> None:
    """Replace a pane's text the way a developer pastes: select all, insert."""
    await page.locator(selector).click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(text)
    assert await editor_text(page, selector) == text


async def run(page: Page, operation: str) -> dict[str, Any]:
    """Run an operation with the play button; the result pane's JSON once it changes."""
    before = await editor_text(page, RESULT)
    await paste(page, QUERY_EDITOR, operation)
    # With several operations in the editor (the page's example has two) Run opens a menu to
    # pick one; GraphiQL sees the pasted single operation ~100 ms later, then Run runs it.
    await page.locator(f"{RUN}:not([aria-haspopup])").click()
    try:
        await page.wait_for_function(
            """([selector, before]) => {
                const text = document.querySelector(selector).CodeMirror.getValue();
                return text.trim() !== "" && text !== before;
            }""",
            arg=[RESULT, before],
            polling=100,  # milliseconds; not animation frames, which a headless page may skip
            timeout=TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"no new result for {operation!r}; the pane: {before!r}")
    result: dict[str, Any] = json.loads(await editor_text(page, RESULT))
    return result


@asynccontextmanager
async def opened(chromium: str, server: str, path: str) -> AsyncIterator[tuple[Page, Watch]]:
    """A page of the server open in headless Chromium, watched from before its first request."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            await page.add_init_script(RECORD_CSP_VIOLATIONS)
            watch = Watch(page)
            await page.goto(f"{server}{path}")
            yield page, watch
            watch.violations = await page.evaluate("window.cspViolations")
        finally:
            await browser.close()


async def open_a_dialog(page: Page) -> None:
    """A dialog inserts a <style>: the page's style nonce must let it through."""
    await page.get_by_label("Open settings dialog").click()
    await page.get_by_role("dialog").wait_for()
    assert await page.locator("style[nonce]").count() >= 1
    await page.keyboard.press("Escape")
    await page.get_by_role("dialog").wait_for(state="detached")


# The explorer does not care which database answers: one backend (the one always present).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_graphiql_runs_a_query_and_a_mutation_with_a_pasted_token(
    chromium: str, server: str, app: FastAPI
) -> None:
    # `app` empties the tasks table afterwards; a unique user keeps runs apart meanwhile.
    user, title = f"explorer-{uuid.uuid4().hex[:8]}", f"Made in GraphiQL {uuid.uuid4().hex[:6]}"
    async with opened(chromium, server, "/graphql") as (page, watch):
        # The headers pane shows the placeholder, which is not sent: no 401, but the API's
        # own answer to a request without a token.
        placeholder = json.loads(await editor_text(page, HEADERS_EDITOR))
        assert placeholder == {"Authorization": "Bearer <token from: todo-api token <user>>"}
        unauthenticated = await run(page, "{ tasks { totalCount } }")
        assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

        token = json.dumps({"Authorization": f"Bearer {token_for(user)}"})
        await paste(page, HEADERS_EDITOR, token)
        created = await run(
            page,
            f"mutation {{ createTask(input: {{title: {json.dumps(title)}, priority: HIGH}}) "
            "{ id title priority completed } }",
        )
        task = created["data"]["createTask"]
        assert task["title"] == title and task["priority"] == "HIGH" and not task["completed"]

        listed = await run(page, "{ tasks { totalCount edges { node { id title } } } }")
        edges = [{"node": {"id": task["id"], "title": title}}]
        assert listed == {"data": {"tasks": {"totalCount": 1, "edges": edges}}}
        assert title in await page.locator(RESULT).inner_text()  # drawn, not just held
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=SCREENSHOT)
        await open_a_dialog(page)

    assert_self_contained(watch, server, "/graphql/assets/graphiql.min.js")


def assert_self_contained(watch: Watch, server: str, vendored: str) -> None:
    """Every request went to the server, the npm file came from it, and nothing was refused."""
    origin = urlsplit(server).netloc
    assert [url for url in watch.requests if urlsplit(url).netloc != origin] == []
    assert any(vendored in url for url in watch.requests)
    assert watch.violations == []
    assert watch.errors == []
    assert watch.failures == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_swagger_ui_draws_the_operations_and_calls_one_with_a_token(
    chromium: str, server: str, app: FastAPI
) -> None:
    user = f"docs-{uuid.uuid4().hex[:8]}"
    async with opened(chromium, server, "/docs") as (page, watch):
        await page.get_by_text("List tasks", exact=True).wait_for()
        for name in ("Create a task", "Delete a task"):
            assert await page.get_by_text(name, exact=True).count() == 1

        # Authorize with a token, then "Try it out" on List tasks: the call goes to this server.
        await page.get_by_role("button", name="Authorize").first.click()
        dialog = page.locator(".modal-ux")
        await dialog.get_by_label("auth-bearer-value").fill(token_for(user))
        await dialog.get_by_role("button", name="Apply credentials").click()
        await dialog.get_by_role("button", name="Close").click()
        summary = page.get_by_text("List tasks", exact=True)
        operation = page.locator(".opblock", has=summary)
        await summary.click()
        await operation.get_by_role("button", name="Try it out").click()
        await operation.get_by_placeholder("user_id").fill(user)
        await operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status")
        await status.wait_for()
        assert (await status.inner_text()).strip() == "200"  # not 401: the token went along
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=SCREENSHOT.with_name("docs.png"), full_page=True)
    assert_self_contained(watch, server, "/docs/assets/swagger-ui-bundle.js")
    assert any(f"/api/{user}/tasks" in url for url in watch.requests)
