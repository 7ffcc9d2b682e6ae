"""Take the README screenshot: sign in to a running demo and save its dashboard as a PNG.

Start a demo first (`scripts/demo 127.0.0.1:8000`), then run
`.venv/bin/python scripts/screenshot.py [--base-url URL] [--output PATH]`.
It drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

REPOSITORY = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_EMAIL = "ada.admin@harbourandpine.example"
DEMO_PASSWORD = "careloop-demo"  # noqa: S105 - the demo's published password


def save_dashboard_screenshot(base_url: str, email: str, password: str, output: Path) -> None:
    """Sign in through the real form and save the dashboard at 1280x800."""
    base_url = base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{base_url}/accounts/login/")
            page.locator("input[name=login]").fill(email)
            page.locator("input[name=password]").fill(password)
            page.get_by_test_id("login-submit").click()
            page.wait_for_url(f"{base_url}/")
            expect(page.get_by_role("navigation", name="Main")).to_be_visible()
            # The "signed in" notice is for the moment of signing in, not for the README.
            page.goto(f"{base_url}/")
            page.wait_for_load_state("networkidle")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=output)
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Save the README screenshot of a running demo.")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default=DEMO_EMAIL)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--output", type=Path, default=REPOSITORY / "docs" / "screenshot.png")
    arguments = parser.parse_args()
    if not CHROMIUM.exists():
        parser.exit(1, f"Debian's Chromium is missing at {CHROMIUM}: apt-get install chromium\n")
    save_dashboard_screenshot(
        arguments.base_url, arguments.email, arguments.password, arguments.output
    )
    print(f"Saved {arguments.output}")


if __name__ == "__main__":
    main()
