from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autoclass import split_paragraphs
from autoclass.paragraphs import has_paragraphs
from tests.conftest import SHARED


def test_strips_drops_blank_lines_and_keeps_duplicates():
    text = "  Title \n\n\t\nBody one.\r\nShare\nShare\n"
    assert split_paragraphs(text) == ["Title", "Body one.", "Share", "Share"]


def test_unicode_line_breaks_and_control_characters():
    text = "One\u2028Two\rThree\x00\x07 four\u00a0\n\u00a0\n"
    assert split_paragraphs(text) == ["One", "Two", "Three four"]
    # The unit separator and the C1 controls (left by pages decoded as Latin-1) too; NEL breaks a line.
    assert split_paragraphs("Ford\x9bcars A\x1fB E\x80F\x9f\x85G") == ["Fordcars AB EF", "G"]


def test_invisible_characters_at_a_lines_ends_go_and_a_line_of_them_alone_is_blank():
    # Direction marks between the lines of a Hebrew or Arabic scrape were paragraphs of their own
    # (8 paragraphs became 15 and moved the page's probabilities), and the HTML path kept "\u200b".
    from autoclass.html import parse_html

    text = "Ford cuts jobs\n\u200e\u200f\n\u200bNio\u00ad sells cars\u200b\n\u3164\n\u2800 \u202b\nA\u200dB"
    assert split_paragraphs(text) == ["Ford cuts jobs", "Nio\u00ad sells cars", "A\u200dB"]
    html = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    assert list(parse_html(html)) == split_paragraphs(text)
    assert not has_paragraphs("\u200e \u2800\n\u00ad")


def test_empty_and_whitespace_only():
    assert split_paragraphs("") == []
    assert split_paragraphs(" \n\t \n\u3000") == []


def test_rejects_bytes():
    with pytest.raises(TypeError, match="must be str"):
        split_paragraphs(b"bytes")  # type: ignore[arg-type]


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds not present")
def test_seed_pages_split_as_labeled():
    labeled: dict[str, list[str]] = {}
    for line in (SHARED / "seeds-labeled.jsonl").read_text().splitlines():
        r = json.loads(line)
        labeled.setdefault(r["article_id"], []).append(r["text"])
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        article_id = "seed-" + path.name.split("_")[0]
        assert split_paragraphs(path.read_text(encoding="utf-8")) == labeled[article_id], path.name


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_has_paragraphs_agrees_with_split_paragraphs(text):
    assert has_paragraphs(text) == bool(split_paragraphs(text))
