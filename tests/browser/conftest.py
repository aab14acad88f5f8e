"""Playwright for Python driving Debian's Chromium (never a downloaded browser).

Without /usr/bin/chromium the browser tests are skipped on a developer's machine, and fail in
CI (CI=true), where `.ci/run` installs it.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: CI must run the browser tests")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def watch_csp(page, violations: list[str]) -> None:
    """Collect every Content Security Policy violation the browser reports on `page`."""
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def csp_violations():
    """Pages record CSP violations here; a test that ends with any fails."""
    violations: list[str] = []
    yield violations
    assert not violations, "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def new_page(browser, csp_violations):
    """Open a page at a given viewport, watched for CSP violations."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        watch_csp(page, csp_violations)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot of a page under screenshots/ (named in the README)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str, of_page) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        of_page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _roles(roles_restored):
    """Browser tests run in real transactions, and each ends by emptying every table."""
