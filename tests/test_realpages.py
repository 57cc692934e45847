"""The real-page development set: manifests committed, texts only in the git-ignored cache."""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest

from training import realpages
from training.realpages import RealPageError, assemble, check_page, manifests, sha1, split_of, to_manifest

PAGE = {
    "page_id": "example-com--plant-halt",
    "url": "https://www.example.com/news/plant-halt",
    "site": "example.com",
    "found": {"corpus": "pages", "query": "plant halt", "rank": 1},
    "region": "Europe",
    "kind": "trade press",
    "topic": "automotive",
    "short_story": False,
    "main_event": "manufacturing",
    "paragraphs": [
        {"text": "Home | News", "body": False, "relevant": False, "event": None},
        {
            "text": "Carmaker halts plant for two weeks",
            "body": True,
            "relevant": True,
            "event": "manufacturing",
        },
        {"text": "Share", "body": False, "relevant": False, "event": None},
    ],
}


def _page(**changes):
    page = json.loads(json.dumps(PAGE))
    page.update(changes)
    return page


def test_a_well_formed_page_passes_and_its_manifest_holds_no_text():
    check_page(PAGE, "page")
    manifest = to_manifest(PAGE)
    check_page(manifest, "manifest")
    assert "Carmaker" not in json.dumps(manifest)
    assert manifest["paragraphs"][1]["sha1"] == sha1("Carmaker halts plant for two weeks")
    assert manifest["split"] == split_of("example.com") in ("dev", "test")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"region": "Atlantis"}, "unknown region"),
        ({"topic": "none"}, "cannot have relevant"),
        ({"main_event": None}, "needs a main_event"),
        ({"paragraphs": []}, "non-empty list"),
    ],
)
def test_page_level_problems_are_named(change, problem):
    with pytest.raises(RealPageError, match=problem):
        check_page(_page(**change), "page")


@pytest.mark.parametrize(
    ("paragraph", "problem"),
    [
        ({"text": "A", "body": False, "relevant": True, "event": "sales"}, "needs body true"),
        ({"text": "A", "body": True, "relevant": True, "event": "news"}, "one of the 15 events"),
        ({"text": "A", "body": True, "relevant": False, "event": "sales"}, "event null"),
        ({"text": " A", "body": False, "relevant": False, "event": None}, "one stripped"),
        ({"text": "A\nB", "body": False, "relevant": False, "event": None}, "one stripped"),
    ],
)
def test_paragraph_problems_are_named(paragraph, problem):
    page = _page()
    page["paragraphs"].append(paragraph)
    with pytest.raises(RealPageError, match=problem):
        check_page(page, "page")


def test_split_by_site_is_fixed_and_about_two_thirds_dev():
    sites = [f"site{i}.example" for i in range(3000)]
    share = Counter(map(split_of, sites))["dev"] / len(sites)
    assert 0.62 < share < 0.71
    assert [split_of(s) for s in sites[:50]] == [split_of(s) for s in sites[:50]]


def test_assemble_checks_cached_texts_against_their_hashes(tmp_path, monkeypatch):
    manifest = to_manifest(PAGE)
    folder = tmp_path / "real" / manifest["split"]
    folder.mkdir(parents=True)
    (folder / f"{PAGE['page_id']}.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(realpages, "MANIFESTS", tmp_path / "real")
    cache = tmp_path / "cache"
    cache.mkdir()
    missing = assemble(cache=cache)
    assert [p["page_id"] for p in missing.missing] == [PAGE["page_id"]] and not len(missing.pages)
    assert PAGE["url"] in realpages.describe_missing(missing.missing, cache)
    # A bare text re-fetched from the web, blank lines and all, matches its hashes.
    text = "\n".join(p["text"] for p in PAGE["paragraphs"])
    (cache / f"{PAGE['page_id']}.txt").write_text("\n\n".join(text.splitlines()) + "\n")
    ok = assemble(cache=cache)
    assert ok.pages.texts == [[p["text"] for p in PAGE["paragraphs"]]]
    assert ok.pages.body == [[False, True, False]] and not ok.missing
    (cache / f"{PAGE['page_id']}.txt").write_text(text.replace("two", "three"))
    bad = assemble(cache=cache)
    assert not len(bad.pages) and "[1]" in bad.mismatched[0][1]


def test_committed_manifests_are_valid_and_spread_over_sites():
    pages = manifests()
    if not pages:
        pytest.skip("no manifests under labels/real")
    assert len({p["page_id"] for p in pages}) == len(pages)
    for page in pages:
        assert page["split"] == split_of(page["site"])
        assert all("text" not in p for p in page["paragraphs"])
    per_site = Counter(p["site"] for p in pages)
    assert max(per_site.values()) <= 2


# Default texts of publishing software, on millions of pages (WordPress's comment
# form and its anti-spam plugin): nobody's writing, and our site templates use them
# as real sites do.
SOFTWARE_DEFAULTS = frozenset(
    {
        "Your email address will not be published. Required fields are marked *",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    }
)


def _cached_lines() -> set[str]:
    lines = set()
    for page in manifests():
        texts = realpages.cached_texts(page["page_id"])
        # Long lines only: short ones ("Share", "Home") are everyone's words, ours too.
        lines |= {t for t in texts or [] if len(t) >= 40}
    return lines - SOFTWARE_DEFAULTS


def _json_strings(text: str) -> set[str]:
    out: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.add(value.strip())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for chunk in [text, *text.splitlines()]:
        try:
            walk(json.loads(chunk))
        except ValueError:
            continue
    return out


def test_no_committed_file_holds_a_line_of_a_cached_real_page():
    real = _cached_lines()
    if not real:
        pytest.skip(
            "no real page texts cached in .cache/realpages (see python -m training.realpages missing)"
        )
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=realpages.ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    leaks = []
    for name in filter(None, files):
        path = realpages.ROOT / name.decode()
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        lines = {line.strip() for line in text.splitlines()}
        if path.suffix in (".jsonl", ".json"):  # texts inside JSON strings too
            lines |= {line for line in _json_strings(text)}
        leaks += [f"{name.decode()}: {line[:60]}" for line in lines & real]
    assert not leaks, leaks[:5]
