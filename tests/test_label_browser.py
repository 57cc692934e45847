"""``autoclass label`` in a real browser: three pages labeled by key presses, the server killed and reopened.

Headless Chromium (Debian's package, /usr/bin/chromium) driven by Playwright
with that browser (``executable_path``; Playwright's own browsers are never
downloaded).  Without either the test is skipped, unless
``AUTOCLASS_REQUIRE_BROWSER=1`` (CI) makes it fail.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autoclass.cli import main
from autoclass.labeling.drafts import read_drafts
from autoclass.labeling.session import event_keys
from autoclass.taxonomy import EVENT_TYPES
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, CLI_PAGES, chromium_or_skip

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 60_000


def _browser_or_skip():
    required = os.environ.get("AUTOCLASS_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("playwright is missing and AUTOCLASS_REQUIRE_BROWSER=1: pip install -e '.[dev]'")
        pytest.skip("playwright not installed (the dev extra installs it)")
    chromium_or_skip()
    return sync_playwright


class Server:
    """``autoclass label`` in a child process, and the address it prints."""

    def __init__(self, drafts: Path, output: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autoclass", "label", str(drafts), "-o", str(output), "--no-browser"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 120
        self.url = None
        while self.url is None and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if match := re.search(r"(http://127\.0\.0\.1:\d+/#token=\S+)", line):
                self.url = match.group(1)
        if self.url is None:
            self.process.kill()
            pytest.fail(f"autoclass label printed no address: {self.process.stderr.read()}")

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as when a machine goes down."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def _wait_for_page(page, article_id: str, done: int) -> None:
    page.wait_for_function(
        "([id, done]) => document.body.dataset.page === id && document.body.dataset.done === String(done)",
        arg=[article_id, done],
        timeout=TIMEOUT_MS,
    )


def _labels(path: Path) -> dict[str, list[tuple[bool, str | None, bool | None]]]:
    pages: dict[str, list[tuple[bool, str | None, bool | None]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        pages.setdefault(r["article_id"], []).append((r["relevant"], r["event"], r.get("body")))
    return pages


def test_three_pages_labeled_by_keyboard_survive_a_killed_server(tmp_path):
    sync_playwright = _browser_or_skip()
    pages = tmp_path / "pages.jsonl"
    pages.write_text(
        "".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(CLI_PAGES[:3])),
        encoding="utf-8",
    )
    drafts, output = tmp_path / "drafts.jsonl", tmp_path / "labeled.jsonl"
    assert main(["draft", str(pages), "-o", str(drafts), "--quiet"]) == 0
    draft = {
        p.article_id: [(r["relevant"], r["event"], r["body"]) for r in p.records] for p in read_drafts(drafts)
    }
    keys = event_keys(EVENT_TYPES)

    server = Server(drafts, output)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS), headless=True)
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server.url)
        _wait_for_page(page, "p0", 0)
        assert page.inner_text("#counter") == "0 / 3 pages done"
        assert "relevance 1.00, sales" in page.inner_text("#lines tbody tr:first-child td.model")
        assert "manufacturing" in page.inner_text("#events")
        # Page p0: the dateline (line 1) becomes relevant, typed trade; "Share" (line 3), drafted not
        # body: b, b turn it to story, then unknown.
        assert draft["p0"][3] == (False, None, False)
        for key in ("ArrowDown", "Space", "5", "ArrowDown", "ArrowDown", "b", "b", "Enter"):
            page.keyboard.press(key)
        _wait_for_page(page, "p1", 1)
        # Page p1: the last line ("Related news") becomes relevant, typed recall; the headline not
        # relevant, its body unknown (it kept body true: a list's headline un-marked was saved as story);
        # the story's sentence (line 2) not relevant and not body.
        assert draft["p1"][2][:2] == (True, "recall")
        for key in ("End", "Space", "0", "Home", "Space", "ArrowDown", "ArrowDown", "Space", "b", "Enter"):
            page.keyboard.press(key)
        _wait_for_page(page, "p2", 2)
        server.kill()  # mid-session, with page p2 open

        expected = {aid: list(lines) for aid, lines in draft.items()}
        expected["p0"][1] = (True, keys["5"], True)
        expected["p0"][3] = (False, None, None)
        expected["p1"][-1] = (True, keys["0"], True)
        expected["p1"][0] = (False, None, None)
        expected["p1"][2] = (False, None, False)
        assert _labels(output) == {"p0": expected["p0"], "p1": expected["p1"]}

        server = Server(drafts, output)  # reopened: resumes after the accepted pages
        page.goto(server.url)
        _wait_for_page(page, "p2", 2)
        assert page.inner_text("#counter") == "2 / 3 pages done"
        # Page p2: its second line typed "other", then accepted.
        for key in ("ArrowDown", "t", "Enter"):
            page.keyboard.press(key)
        _wait_for_page(page, "", 3)
        assert "All 3 pages are labeled" in page.inner_text("#finished")
        browser.close()
    server.kill()

    expected["p2"][1] = (True, "other", True)
    assert _labels(output) == expected
    check = subprocess.run(
        [sys.executable, "-m", "autoclass", "labels", "check", str(output)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    assert "3 pages, 11 paragraphs" in check.stdout
