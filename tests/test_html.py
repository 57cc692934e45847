"""HTML to blocks (autoclass.html) and the encoding of HTML bytes (autoclass.charset)."""

from __future__ import annotations

import gzip
import pickle

import pytest

from autoclass.charset import codec_for, decode_html, prescan, sniff
from autoclass.html import ANCESTORS, CLASS_GROUPS, MAX_DEPTH, HtmlPage, parse_html

PAGE = """<!DOCTYPE html>
<html><head><title>Not a block</title><style>p { color: red }</style>
<script>var x = "<p>not text</p>";</script></head>
<body class="page">
<header class="site-header"><nav class="main-nav"><ul>
  <li><a href="/">Home</a></li><li><a href="/autos">Autos</a></li></ul></nav></header>
<main><article>
  <h1>Nio delivers 20,000 cars in May</h1>
  <div class="byline">By <a href="/staff">Staff Reporter</a></div>
  <p>Nio   delivered <b>20,000</b>
     vehicles in May, up <a href="/x">40 percent</a>.</p>
  <figure><img src="a.jpg" alt="not text"><figcaption>An ES8 at a Nio store.</figcaption></figure>
  <p hidden>Hidden by attribute</p><p style="display: none">Hidden by style</p>
  <span class="sr-only">Hidden for screen readers</span>
  <p>Line one<br>Line two</p>
  <ul class="related-stories"><li><a href="/r1">Tesla recalls cars</a></li></ul>
  <form><label>E-mail</label><input value="x"><button>Sign up</button>
    <select><option>A</option></select></form>
</article></main>
<noscript><p>Enable JavaScript</p></noscript><template><p>Template</p></template>
<footer><p>&copy; 2024 Example Media &amp; Co.</p>
  <div class="share-buttons"><a href="#">Share</a></div></footer>
</body></html>"""


def _bits(value: int, names: object) -> list[str]:
    return [name for i, name in enumerate(names) if value >> i & 1]


def test_blocks_in_document_order_with_dropped_content():
    page = parse_html(PAGE)
    assert list(page) == [
        "Home",
        "Autos",
        "Nio delivers 20,000 cars in May",
        "By Staff Reporter",
        "Nio delivered 20,000 vehicles in May, up 40 percent.",
        "An ES8 at a Nio store.",
        "Line one",
        "Line two",
        "Tesla recalls cars",
        "E-mail",
        "© 2024 Example Media & Co.",
        "Share",
    ]


def test_block_markup():
    blocks = {b.text: b for b in parse_html(PAGE).blocks}
    home = blocks["Home"]
    assert (home.tag, home.path) == ("li", "body>header>nav>ul>li")
    assert _bits(home.ancestors, ANCESTORS) == ["list", "nav", "header", "link"]
    assert _bits(home.classes, CLASS_GROUPS) == ["nav", "content", "header"]  # main-nav, site-header
    assert home.link_chars == 4 and home.links == 1
    headline = blocks["Nio delivers 20,000 cars in May"]
    assert (headline.tag, headline.heading, headline.path) == ("h1", 1, "body>main>article>h1")
    para = blocks["Nio delivered 20,000 vehicles in May, up 40 percent."]
    assert para.link_chars == len("40 percent") and para.links == 1
    assert _bits(para.ancestors, ANCESTORS) == ["article", "main"]
    byline = blocks["By Staff Reporter"]
    assert _bits(byline.own_classes, CLASS_GROUPS) == ["byline"]
    caption = blocks["An ES8 at a Nio store."]
    assert caption.tag == "figcaption" and "figure" in _bits(caption.ancestors, ANCESTORS)
    related = blocks["Tesla recalls cars"]
    assert _bits(related.classes, CLASS_GROUPS) == ["related"]
    assert "footer" in _bits(blocks["Share"].ancestors, ANCESTORS)
    assert _bits(blocks["Share"].own_classes, CLASS_GROUPS) == ["share"]
    # Siblings share their container, the block element around them.
    assert blocks["Line one"].container == blocks["Line two"].container
    assert blocks["Home"].container == blocks["Autos"].container
    assert blocks["Home"].container != blocks["Line one"].container


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", []),
        ("   \n\t ", []),
        ("just text, no tags", ["just text, no tags"]),
        ("<p>a</p><p></p><p> </p><p>b</p>", ["a", "b"]),
        ("<div>intro <p>para</p> tail</div>", ["intro", "para", "tail"]),
        ("<span>Hello</span> <span>World</span>", ["Hello World"]),
        ("<p><b>bold <i>both</b> italic</i> after</p>", ["bold both italic after"]),
        ("<table><tr><td>one</td><td>two</td></tr></table>", ["one", "two"]),
        ("<p>tab\tand\u00a0nbsp\u2028line</p>", ["tab and nbsp line"]),
        ("<p>ctrl\x01\x07chars</p>", ["ctrlchars"]),
        ("<p>lone \ud800 surrogate</p>", ["lone \ufffd surrogate"]),
        ("<ul><li>one<li>two</ul>", ["one", "two"]),
        ("<p>x<!-- comment -->y</p>", ["xy"]),
        ("<div style='visibility:hidden'>no</div><div>yes</div>", ["yes"]),
    ],
)
def test_edge_cases(html, expected):
    assert list(parse_html(html)) == expected


def test_no_paragraph_breaks_inside_blocks():
    for text in parse_html("<p>a\nb\r\nc\u0085d\u2029e</p><pre>x\n\ny</pre>"):
        assert text.splitlines() == [text]


def test_a_blank_line_in_pre_ends_a_paragraph_as_in_a_text_page():
    # A press release or a list's message kept as plain text: one block per paragraph, not one in all.
    page = parse_html(
        "<body><h1>Notice</h1><pre>Ford recalls 1,000\r\ncars over brakes.\r\n \r\n  The recall covers"
        "\n<b>2024\n\nmodels</b> only.\n\n\n<a href='/c'>Contact</a></pre><p>After</p></body>"
    )
    assert list(page) == [
        "Notice", "Ford recalls 1,000 cars over brakes.", "The recall covers 2024", "models only.",
        "Contact", "After",
    ]  # fmt: skip
    assert [(b.tag, b.link_chars) for b in page.blocks[1:5]] == [("pre", 0)] * 3 + [("pre", 7)]
    # Outside <pre> a blank line in the source is white space, as a browser shows it.
    assert list(parse_html("<body><p>One\n\ntwo</p><pre>three</pre><p>four\n\nfive</p></body>")) == [
        "One two", "three", "four five"
    ]  # fmt: skip


def test_deep_nesting_and_attribute_floods_keep_their_text():
    deep = "<div>" * (4 * MAX_DEPTH) + "deep text" + "</div>" * (4 * MAX_DEPTH)
    deep = deep + "<p>" + "filler " * 20_000 + "</p>" + "<b>x</b>" * 20_000
    assert parse_html(deep)[0] == "deep text"
    flood = "<div class='story' " + " ".join(f"a{i}='v'" for i in range(5000)) + ">flooded</div><p>after</p>"
    page = parse_html(flood)
    assert list(page) == ["flooded", "after"]


def test_a_deep_page_below_the_depth_check_keeps_its_text_with_a_bounded_path():
    # Fewer tags than the depth check reads, so nothing caps the nesting: the path
    # stops growing (a path per element would take memory quadratic in the depth).
    page = parse_html("<div>" * 5_000 + "deep text")
    assert list(page) == ["deep text"]
    assert page.blocks[0].path.startswith("body>div>div") and len(page.blocks[0].path) <= 2_010
    assert len(page.blocks[0].ancestry) >= 5_000  # html, body and the divs


def test_unclosed_tags_are_capped_though_the_page_has_fewer_tags_than_the_depth_check():
    # 19,999 divs never closed nest 19,999 deep, at a parsing cost quadratic in the depth
    # (0.44 s against 0.03 s capped): tags opened far more often than closed are read too.
    page = parse_html("<div>" * 19_999 + "deep text")
    assert list(page) == ["deep text"]
    assert len(page.blocks[0].ancestry) <= MAX_DEPTH + 2


STORY = (
    "<article><h1>Ford recalls 200,000 Explorer SUVs</h1>"
    "<p>Ford is recalling 200,000 Explorer SUVs over a rear suspension fault.</p>"
    "<p>Dealers will replace the part free of charge.</p></article><footer><p>Copyright 2024</p></footer>"
)


@pytest.mark.parametrize(
    ("before", "blocks"),
    [
        # Valid HTML a browser nests shallowly, long enough for the depth check to read it.
        (
            "<select>"
            + "".join(f"<option value='m{i}'>Make number {i} of the list" for i in range(2600))
            + "</select>",
            0,
        ),
        (
            "<nav><ul>"
            + "".join(
                "<li><a><svg viewBox='0 0 24 24'><path d='M0 0h24'/><path/><circle r='1'/></svg>"
                f"Menu item {i}</a>"
                for i in range(700)
            )
            + "</ul></nav>",
            700,
        ),
        (
            "<table>"
            + "".join(f"<tr><td>Row {i} of the sales table<td>Explorer SUV<td>{i} units" for i in range(1600))
            + "</table>",
            4800,
        ),
        (
            "<ul>"
            + "".join(f"<li>Item {i} of a long list of links to other stories" for i in range(2100))
            + "</ul>",
            2100,
        ),
    ],
    ids=["options", "svg-icons", "table-rows", "list-items"],
)
def test_end_tags_a_browser_implies_do_not_count_as_nesting(before, blocks):
    # Counted as one level each, they set off the depth cap, which then flattened the
    # page: the story was glued into the menu or the table, or lost inside the select.
    html = f"<html><body><header>{before}</header>{STORY}</body></html>"
    assert len(html) > 60_000
    page = parse_html(html)
    assert list(page)[-4:] == [
        "Ford recalls 200,000 Explorer SUVs",
        "Ford is recalling 200,000 Explorer SUVs over a rear suspension fault.",
        "Dealers will replace the part free of charge.",
        "Copyright 2024",
    ]
    assert len(page) == blocks + 4


def test_a_late_meta_charset_decodes_a_page_that_is_not_utf8():
    # Behind 2 KB of inline script the <meta> was past the 1,024 bytes looked at: Shift_JIS
    # came out as "ƒgƒˆƒ^", ISO-8859-15's euro sign as the currency sign.
    script = "<script>" + "var x = 1;" * 200 + "</script>"
    japanese = f'<html><head>{script}<meta charset="shift_jis"></head><body><p>トヨタ自動車</p>'
    assert decode_html(japanese.encode("cp932")) == (japanese, "cp932")
    euro = f'<html><head>{script}<meta charset="iso-8859-15"></head><body><p>10 €</p>'
    assert decode_html(euro.encode("iso-8859-15")) == (euro, "iso8859-15")
    # Valid UTF-8 stays UTF-8, as before.
    assert decode_html(euro.encode("utf-8"))[1] == "utf-8"


def test_hidden_styles_in_any_case_are_hidden():
    html = '<div style="DISPLAY:NONE">a</div><p style="Visibility: Hidden">b</p><p style="color:none">c</p>'
    assert list(parse_html(html)) == ["c"]


def test_an_xhtml_document_is_read_as_a_browser_reads_xml():
    # Served as XML, "<script .../>" is a whole element; parsed as HTML it swallowed the page.
    xhtml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<script type="text/javascript" src="/js/app.js"/></head><body><div class="ad"/>'
        "<h1>Ford recalls SUVs</h1><p>Ford is recalling 1,000 SUVs.<br/></p></body></html>"
    )
    assert list(parse_html(xhtml)) == ["Ford recalls SUVs", "Ford is recalling 1,000 SUVs."]
    assert list(parse_html(xhtml.encode())) == ["Ford recalls SUVs", "Ford is recalling 1,000 SUVs."]
    # Without the XML declaration, HTML rules: "<div/>" opens a div, as in a browser.
    assert parse_html("<div class='a'/><p>x</p>").blocks[0].path == "body>div>p"


def test_self_closing_tags_outside_svg_still_count_as_nesting():
    # In HTML "<div/>" opens a div: 30,000 of them nest as deep as 30,000 "<div>"s, and are capped.
    page = parse_html("<div/>" * 30_000 + "deep text")
    assert list(page) == ["deep text"] and len(page.blocks[0].ancestry) <= MAX_DEPTH + 2


def test_bytes_and_type_errors():
    assert list(parse_html(b"<p>caf\xc3\xa9</p>")) == ["café"]
    assert parse_html(b"<p>caf\xc3\xa9</p>").encoding == "utf-8"
    assert parse_html("<p>x</p>").encoding is None
    with pytest.raises(TypeError, match="str or bytes"):
        parse_html(3)


def test_html_page_is_a_sequence_of_paragraphs_and_pickles():
    page = parse_html("<p>a</p><p>b</p>", url="https://example.com/a")
    assert isinstance(page, HtmlPage) and len(page) == 2 and page[1] == "b" and page[:1] == ["a"]
    copy = pickle.loads(pickle.dumps(page))
    assert list(copy) == ["a", "b"] and copy.blocks == page.blocks and copy.url == page.url


# --------------------------------------------------------------- encodings
RUSSIAN = "Продажи автомобилей выросли"


@pytest.mark.parametrize(
    ("data", "transport", "url", "codec"),
    [
        (b"\xef\xbb\xbf<p>x", "iso-8859-1", None, "utf-8"),  # the BOM wins
        (b"\xff\xfe<\x00p\x00>\x00", None, None, "utf-16-le"),
        (b"<p>x</p>", "windows-1251", None, "cp1251"),  # then the transport
        (b'<meta charset="koi8-r"><p>x', None, None, "koi8-r"),  # then <meta>
        (b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', None, None, "cp932"),
        (b'<meta content="text/html; charset=gb2312" http-equiv="content-type">', None, None, "gb18030"),
        (b"<p>caf\xc3\xa9</p>", None, None, "utf-8"),  # valid UTF-8
        (b"<p>caf\xe9</p>", None, None, "cp1252"),  # else windows-1252
        (b"<p>\xcf\xf0\xe8</p>", None, "https://news.example.ru/a", "cp1251"),  # or the country's
        (b"<p>caf\xc3", None, None, "utf-8"),  # UTF-8 cut short by a truncated download
        (b"<p>x</p>", "no-such-charset", None, "utf-8"),
    ],
)
def test_sniffing(data, transport, url, codec):
    assert sniff(data, transport=transport, url=url)[0] == codec


def test_meta_beyond_the_prescan_window_is_not_read():
    late = b"<!-- " + b"x" * 2000 + b" -->" + b'<meta charset="koi8-r">'
    assert prescan(late) is None
    assert prescan(b"<!-- " + b"x" * 100 + b' --><meta charset="koi8-r">') == "koi8-r"


def test_labels_as_the_encoding_standard_reads_them():
    assert codec_for("latin1") == codec_for("US-ASCII") == "cp1252"
    assert codec_for("x-sjis") == "cp932" and codec_for("ks_c_5601-1987") == "cp949"
    assert codec_for("iso-2022-kr") is None and codec_for("") is None
    assert prescan(b'<meta charset="utf-16">') == "utf-8"


def test_a_legacy_page_decodes_as_a_browser_shows_it():
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    data = page.encode("cp1251")
    text, codec = decode_html(data)
    assert codec == "cp1251" and RUSSIAN in text
    assert list(parse_html(data)) == [RUSSIAN]
    assert list(parse_html(gzip.decompress(gzip.compress(data)))) == [RUSSIAN]
    # Without the declaration, the server's header says it, or the country domain.
    bare = f"<p>{RUSSIAN}</p>".encode("cp1251")
    assert list(parse_html(bare, encoding="windows-1251")) == [RUSSIAN]
    assert list(parse_html(bare, url="https://auto.example.ru/news/1")) == [RUSSIAN]


def test_class_values_of_any_length_read_and_long_ones_not_kept_in_memory():
    from autoclass import html

    footer = 1 << list(CLASS_GROUPS).index("footer")
    for i in range(20):  # generated markup: a unique 20 KB class value on every page
        value = f"x{i}" + " gen" * 5_000 + " site-footer " + "a" * 10_000
        page = parse_html(f'<div class="{value}"><p>Some text of the page {i}.</p></div>')
        assert html.class_groups(value) & footer
        assert page.texts == [f"Some text of the page {i}."]
    assert all(len(value) <= 256 for value in html._class_cache)
    assert html._cached_word_groups.cache_info().currsize < 1_000
