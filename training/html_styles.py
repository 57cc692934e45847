"""HTML renderings of composed pages, in many markup styles of our own, with labels on every block.

A composed page (:func:`training.compose.compose_corpus` with ``roles``) is a
list of labeled lines, each with the role it plays (``headline``, ``body``,
``caption``, ``top``, ``meta``, ``inline``, ``related``, ``ads``,
``comments``, ``bottom``...).  :func:`render_page` writes it as one site
would publish it: the lines grouped into regions (site header, article head,
body, article foot, related list, sidebar, comments, ads, footer) and each
line marked up by its role in the page's :class:`Style`, with the chrome and
noise real pages carry (scripts, styles, JSON-LD, icons, hidden copies, forms'
controls, tracking pixels), which hold no visible text.  Every line becomes
exactly one block of :func:`autoclass.html.parse_html`, so the labels travel
with the blocks; :func:`html_pages` checks it page by page.

The styles (``STYLES``) go from semantic HTML5 to div soup with generated
class names, layout tables, AMP, blog themes, utility-class frameworks and
e-mail tables; related stories as link lists, cards or tables; captions in
``figcaption`` or in classed paragraphs; ads and forms between paragraphs.
They are written for this project from the general shapes of web pages; no
page's markup is copied.  Everything is seeded: the same page, site and style
give the same HTML.
"""

from __future__ import annotations

import html as htmllib
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from autoclass.html import HtmlPage, parse_html
from autoclass.labels import Pages
from training.compose import compose_corpus

SEED = 20261204


@dataclass(frozen=True)
class Style:
    """How one kind of site marks up its pages.

    Attributes
    ----------
    name : str
        The style's name.
    skeleton : str
        Page structure: ``html5`` (header, nav, main, article, aside, footer),
        ``div`` (nested divs), ``table`` (layout tables), ``amp``, ``flat``
        (paragraphs straight in the body).
    names : str
        Class names: ``semantic``, ``bem``, ``wordpress``, ``generated``
        (hashes such as ``css-1x9ab``), ``utility`` (framework classes),
        ``ids`` (ids only), ``mixed``, ``none``.
    headline, paragraph, subhead, caption, nav, related, meta, ads, comments, footer : str
        Markup of each kind of line (see the ``_render_*`` functions).
    wrappers : int
        Extra nested ``div`` around the article body.
    """

    name: str
    skeleton: str = "html5"
    names: str = "semantic"
    headline: str = "h1"
    paragraph: str = "p"
    subhead: str = "h2"
    caption: str = "figcaption"
    nav: str = "ul"
    related: str = "ul"
    meta: str = "div"
    ads: str = "div"
    comments: str = "section"
    footer: str = "footer"
    wrappers: int = 0


STYLES: tuple[Style, ...] = (
    Style("html5-semantic"),
    Style("html5-bem", names="bem", related="cards", meta="spans", wrappers=1),
    Style("wordpress-classic", skeleton="div", names="wordpress", caption="p-class", subhead="h3",
          wrappers=2),
    Style("wordpress-blocks", names="wordpress", caption="figcaption", related="cards", ads="ins"),
    Style("div-soup-generated", skeleton="div", names="generated", headline="div", subhead="div-b",
          caption="div-class", nav="div-a", related="cards", meta="spans", ads="div", comments="div",
          footer="div", wrappers=5),
    Style("react-css-in-js", skeleton="div", names="generated", headline="h1", paragraph="div",
          caption="span-class", nav="div-a", related="cards", meta="spans", wrappers=7),
    Style("tailwind-utility", names="utility", subhead="h3", caption="figcaption", related="cards",
          meta="spans", wrappers=2),
    Style("bootstrap-grid", skeleton="div", names="mixed", caption="div-class", related="ul",
          nav="ul", wrappers=3),
    Style("table-layout", skeleton="table", names="none", headline="td-b", paragraph="br",
          subhead="p-b", caption="table-caption", nav="table", related="table", meta="table",
          ads="table", comments="table", footer="table"),
    Style("table-nested-portal", skeleton="table", names="ids", headline="h2", paragraph="p",
          subhead="p-b", caption="table-caption", nav="table", related="table", meta="div",
          ads="table", comments="table", footer="table", wrappers=1),
    Style("amp-news", skeleton="amp", names="semantic", caption="figcaption", ads="amp", related="ul"),
    Style("amp-lite", skeleton="amp", names="bem", headline="h1", caption="div-class", ads="amp",
          related="p-links", meta="spans", nav="div-a"),
    Style("flat-legacy", skeleton="flat", names="none", headline="p-b", paragraph="br", subhead="p-b",
          caption="p-i", nav="p-links", related="p-links", meta="p", ads="center", comments="p",
          footer="p"),
    Style("font-center-1990s", skeleton="table", names="none", headline="font", paragraph="br",
          subhead="font-b", caption="p-i", nav="p-links", related="p-links", meta="p", ads="center",
          comments="table", footer="center"),
    Style("blogger-theme", skeleton="div", names="semantic", headline="h3", paragraph="br",
          subhead="b-br", caption="table-caption", related="ul", meta="div", wrappers=3),
    Style("ghost-theme", names="bem", subhead="h2", caption="figcaption", related="cards", meta="time"),
    Style("drupal-views", skeleton="div", names="mixed", headline="h1", paragraph="div-field",
          caption="div-class", related="ul", meta="div", wrappers=4),
    Style("newspaper-portal", names="semantic", headline="h1", subhead="h3", caption="figcaption",
          nav="ul", related="ol", meta="spans", ads="div", wrappers=2),
    Style("magazine-longread", names="bem", headline="h1", subhead="h2", caption="figcaption",
          related="cards", meta="div", comments="div"),
    Style("press-release-cms", skeleton="div", names="ids", headline="h1", paragraph="p",
          subhead="p-b", caption="p-class", nav="ul", related="ul", meta="p", footer="div", wrappers=2),
    Style("gov-press-office", skeleton="div", names="semantic", headline="h1", subhead="h2",
          caption="p-class", nav="ul", related="ul", meta="dl", footer="footer", wrappers=1),
    Style("forum-thread", skeleton="table", names="mixed", headline="h1", paragraph="div",
          subhead="div-b", caption="span-class", nav="div-a", related="table", meta="table",
          comments="table", wrappers=2),
    Style("email-newsletter", skeleton="table", names="none", headline="td-b", paragraph="td",
          subhead="td-b", caption="td-i", nav="table", related="table", meta="table", ads="table",
          comments="table", footer="table"),
    Style("aggregator-cards", skeleton="div", names="generated", headline="h2", paragraph="p",
          caption="div-class", nav="div-a", related="cards", meta="spans", wrappers=3),
    Style("mobile-lite", skeleton="flat", names="semantic", headline="h1", paragraph="p",
          subhead="h2", caption="p-class", nav="p-links", related="p-links", meta="p", ads="div",
          comments="div", footer="div"),
    Style("markdown-static", skeleton="html5", names="none", headline="h1", subhead="h2",
          caption="p-i", nav="ul", related="ul", meta="p", ads="aside", comments="section"),
    Style("jquery-portal", skeleton="div", names="ids", headline="h1", paragraph="p", subhead="h4",
          caption="div-class", nav="ul", related="dl", meta="spans", ads="iframe", wrappers=4),
    Style("web-archive-snapshot", skeleton="div", names="mixed", headline="h1", caption="figcaption",
          nav="ul", related="ul", meta="div", ads="div", wrappers=2),
    Style("section-blocks", skeleton="html5", names="generated", headline="h1", paragraph="section",
          subhead="h2", caption="figcaption", nav="ul", related="cards", meta="time", wrappers=1),
    Style("pdf-to-html", skeleton="flat", names="generated", headline="div", paragraph="div",
          subhead="div", caption="div", nav="div-a", related="p-links", meta="div", ads="div",
          comments="div", footer="div"),
)  # fmt: skip

#: Styles only held-out pages get: the held-out figures measure markup the model never saw.
HELDOUT_STYLES = frozenset({"ghost-theme", "jquery-portal", "email-newsletter", "section-blocks"})

# Region of each role, in the order regions are usually nested.
_REGION = {
    "top": "header",
    "ads": "ad",
    "headline": "head",
    "meta": "head",
    "body": "body",
    "subhead": "body",
    "quote": "body",
    "caption": "body",
    "credit": "body",
    "inline": "body",
    "repeat": "body",
    "after": "foot",
    "related_header": "related",
    "related": "related",
    "sidebar": "sidebar",
    "comments": "comments",
    "bottom": "footer",
}

# Class words of each semantic scheme, by element kind.
_SEMANTIC = {
    "page": "page-wrapper", "header": "site-header", "nav": "main-nav", "navitem": "nav-item",
    "crumbs": "breadcrumb", "main": "main-content", "article": "article", "head": "article-header",
    "headline": "article-title", "meta": "article-meta", "byline": "byline", "date": "published-date",
    "body": "article-body", "para": "article-text", "subhead": "article-subhead", "figure": "article-figure",
    "caption": "caption", "credit": "photo-credit", "ad": "ad-slot", "inline": "read-also",
    "newsletter": "newsletter-signup", "foot": "article-footer", "tags": "tags", "share": "share-buttons",
    "related": "related-articles", "relitem": "related-item", "sidebar": "sidebar", "widget": "widget",
    "comments": "comments", "comment": "comment", "footer": "site-footer", "cookie": "cookie-notice",
    "quote": "pull-quote", "card": "card",
}  # fmt: skip
_WORDPRESS = {
    "page": "site", "header": "site-header", "nav": "main-navigation", "navitem": "menu-item",
    "crumbs": "breadcrumbs", "main": "site-main", "article": "post type-post hentry", "head": "entry-header",
    "headline": "entry-title", "meta": "entry-meta", "byline": "byline author vcard", "date": "posted-on",
    "body": "entry-content", "para": "", "subhead": "wp-block-heading", "figure": "wp-caption aligncenter",
    "caption": "wp-caption-text", "credit": "wp-caption-credit", "ad": "adsbygoogle",
    "inline": "jp-relatedposts-inline", "newsletter": "mc4wp-form", "foot": "entry-footer",
    "tags": "tags-links", "share": "sharedaddy sd-sharing", "related": "jp-relatedposts",
    "relitem": "jp-relatedposts-post", "sidebar": "widget-area", "widget": "widget",
    "comments": "comments-area", "comment": "comment-body", "footer": "site-footer",
    "cookie": "cookie-law-info-bar", "quote": "wp-block-quote", "card": "jp-relatedposts-post",
}  # fmt: skip
_UTILITY = {
    "page": "min-h-screen bg-white", "header": "sticky top-0 z-50 border-b", "nav": "flex gap-4 text-sm",
    "navitem": "px-2 py-1", "crumbs": "text-xs text-gray-500", "main": "mx-auto max-w-3xl px-4",
    "article": "prose lg:prose-xl", "head": "mb-6", "headline": "text-4xl font-bold leading-tight",
    "meta": "flex items-center gap-2 text-sm text-gray-600", "byline": "font-medium", "date": "text-gray-500",
    "body": "space-y-4", "para": "text-lg leading-relaxed", "subhead": "text-2xl font-semibold mt-8",
    "figure": "my-6", "caption": "text-sm text-gray-500 mt-2", "credit": "text-xs text-gray-400",
    "ad": "my-8 flex justify-center bg-gray-100", "inline": "border-l-4 pl-4 font-semibold",
    "newsletter": "rounded bg-blue-50 p-4", "foot": "mt-8 border-t pt-4", "tags": "flex flex-wrap gap-2",
    "share": "flex gap-3", "related": "grid grid-cols-3 gap-4", "relitem": "rounded shadow p-3",
    "sidebar": "w-80 shrink-0", "widget": "mb-6", "comments": "mt-12", "comment": "border-b py-4",
    "footer": "bg-gray-900 text-gray-300 py-8", "cookie": "fixed bottom-0 inset-x-0 p-4 bg-black",
    "quote": "border-l-4 italic", "card": "rounded shadow p-3",
}  # fmt: skip
_IDS = {
    "page": "wrapper", "header": "header", "nav": "nav", "crumbs": "crumbs", "main": "content",
    "article": "story", "headline": "title", "meta": "info", "body": "storytext", "related": "morenews",
    "sidebar": "rightcol", "comments": "comments", "footer": "footer", "cookie": "cookiebar",
    "ad": "banner", "share": "share", "tags": "tags",
}  # fmt: skip

_SHARE_WORDS = frozenset("share tweet email print facebook linkedin x whatsapp reddit copy link".split())
_AD_WORDS = re.compile(r"advert|sponsor|^ad$|report this ad|promoted|\bads?\b", re.I)
_DATE_LIKE = re.compile(r"\d{1,4}[./:-]\d|\b(19|20)\d\d\b|\bago\b|updated|published", re.I)


@dataclass(frozen=True)
class Pool:
    """Texts of other pages that a rendering may add as boilerplate: headlines and paragraphs."""

    headlines: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()


_SECTIONS = (
    "News World Business Markets Economy Autos Tech Science Health Sport Opinion Culture Travel Video "
    "Podcasts Weather Local Politics Energy Climate Lifestyle Food Books Photos Live Newsletters Events "
    "Jobs Classifieds Obituaries Puzzles"
).split()
_FOOTER_LINKS = (
    "About us|Contact|Advertise|Careers|Privacy policy|Cookie policy|Terms of use|Sitemap|RSS feeds|"
    "Accessibility|Help|Subscribe|Newsletters|Corrections|Editorial standards|Licensing|Archive|Apps|"
    "Manage preferences|Do not sell my information"
).split("|")


def _menu(p: _Page, n: int) -> list[str]:
    """``n`` menu entries: section names, and now and then a headline of another story."""
    rng = p.rng
    out = []
    for _ in range(n):
        if p.pool.headlines and rng.random() < 0.15:
            out.append(rng.choice(p.pool.headlines))
        else:
            out.append(rng.choice(_SECTIONS))
    return out


def _link_list(p: _Page, kind: str, texts: list[str]) -> None:
    """Chrome lines as a list of links (a menu, footer links, a list of other stories)."""
    rng = p.rng
    if rng.random() < 0.7:
        p.raw(f"<ul{p.cls(kind)}>")
        for text in texts:
            p.chrome(text, f"<li><a{_href(rng)}>{_e(text)}</a></li>")
        p.raw("</ul>")
    else:
        p.open("div", kind)
        for text in texts:
            p.chrome(text, f"<div><a{_href(rng)}>{_e(text)}</a></div>")
        p.close("div")


def _more_stories(p: _Page) -> None:
    """A block of other stories: headlines with their first lines, as news sites list them."""
    rng = p.rng
    if not p.pool.headlines or not p.pool.paragraphs:
        return
    semantic = p.style.skeleton in ("html5", "amp")
    # Half of the blocks are a long grid of cards, one list item each, whose
    # teasers together can hold more prose than the article itself (drawn from
    # a second generator: the rest of the page renders as without the grid).
    grid = p.more.random() < 0.5
    p.open("section" if semantic else "div", "related")
    heading = rng.choice(["More stories", "Latest", "Most read", "You may also like"])
    p.chrome(heading, f"<h2>{heading}</h2>")
    cards = [
        (rng.choice(p.pool.headlines), rng.choice(p.pool.paragraphs), _href(rng))
        for _ in range(rng.randrange(2, 6))
    ]
    if grid:
        more = p.more
        cards += [
            (more.choice(p.pool.headlines), more.choice(p.pool.paragraphs), _href(more))
            for _ in range(more.randrange(4, 12))
        ]
        p.raw(f"<ul{p.cls('relitem')}>")
        for head, teaser, href in cards:
            p.raw(f"<li><div{p.cls('card')}><div>")
            tag = more.choice(["h3", "h5", "div"])
            p.chrome(head, f"<{tag}><a{href}>{_e(head)}</a></{tag}>")
            p.raw("</div>")
            p.chrome(teaser, f"<div><div>{_e(teaser)}</div></div>")
            p.raw("</div></li>")
        p.raw("</ul>")
    else:
        for head, teaser, href in cards:
            p.open("article" if semantic else "div", "card")
            p.chrome(head, f"<h3><a{href}>{_e(head)}</a></h3>")
            p.chrome(teaser, f"<p>{_e(teaser)}</p>")
            p.close("article" if semantic else "div")
    p.close("section" if semantic else "div")


_OPENING_QUOTE = re.compile(r"""(?<![\w.,;:!?%)])\"""")


def smarten(text: str) -> str:
    """Typographic quotes, apostrophes and dashes, as many publishing systems print them.

    Examples
    --------
    >>> smarten('He said "we won\'t" - twice.')
    'He said \u201cwe won\u2019t\u201d \u2013 twice.'
    """
    text = _OPENING_QUOTE.sub("\u201c", text).replace('"', "\u201d")
    return text.replace("'", "\u2019").replace(" - ", " \u2013 ")


class _Page:
    """Builds one page's HTML and the list of lines it renders, in order."""

    def __init__(self, style: Style, site: str, rng: random.Random, pool: Pool, own: set[str]) -> None:
        self.style, self.site, self.rng, self.pool, self.own = style, site, rng, pool, own
        # A second generator for variations added later, so that the main one's draws stay as they were.
        self.more = random.Random(hash(rng.getstate()[1][1:8]) ^ 0x5EED)
        self.parts: list[str] = []
        self.lines: list[int] = []  # index of each rendered line, in order
        self.extra: list[str] = []  # chrome lines the style adds (not in the composed page)
        self.extra_at: list[int] = []  # where each extra line sits among the rendered ones

    # ----------------------------------------------------------- class names
    def cls(self, kind: str) -> str:
        names = self.style.names
        if names == "none":
            return ""
        if names == "generated" or (names == "mixed" and zlib.crc32(kind.encode()) % 2):
            digest = zlib.crc32(f"{self.site}|{kind}".encode()) & 0xFFFFFF
            prefix = "css-" if zlib.crc32(self.site.encode()) % 2 else "sc-"
            return f' class="{prefix}{_base36(digest)} {prefix}{_base36(digest >> 7)}"'
        if names == "ids":
            ident = _IDS.get(kind)
            return f' id="{ident}"' if ident else ""
        if names == "bem":
            block = _SEMANTIC.get(kind, kind).split("-")[0]
            return f' class="c-{block}__{kind} c-{block}"'
        table = {"semantic": _SEMANTIC, "mixed": _SEMANTIC, "wordpress": _WORDPRESS, "utility": _UTILITY}
        value = table[names].get(kind, "")
        return f' class="{value}"' if value else ""

    # ------------------------------------------------------------ emitting
    def open(self, tag: str, kind: str = "", attrs: str = "") -> None:
        self.parts.append(f"<{tag}{self.cls(kind) if kind else ''}{attrs}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def line(self, index: int, markup: str) -> None:
        """A composed line's markup: its text must become exactly one block."""
        self.parts.append(markup)
        self.lines.append(index)

    def chrome(self, text: str, markup: str) -> None:
        """A visible line the style adds: labeled as boilerplate."""
        if text in self.own:  # another story's line that this page holds too: not added
            return
        self.parts.append(markup)
        self.extra.append(text)
        self.extra_at.append(len(self.lines) + len(self.extra) - 1)

    def noise(self) -> None:
        """Markup without visible text: scripts, icons, pixels, hidden copies."""
        pick = self.rng.randrange(8)
        if pick == 0:
            self.raw(
                '<script>window.dataLayer=window.dataLayer||[];dataLayer.push({"event":"view"});</script>'
            )
        elif pick == 1:
            self.raw(
                '<svg width="16" height="16" viewBox="0 0 16 16"><title>icon</title>'
                '<path d="M0 0h16v16z"/></svg>'
            )
        elif pick == 2:
            self.raw('<img src="/pixel.gif" width="1" height="1" alt="">')
        elif pick == 3:
            self.raw("<div hidden><p>Loading more stories</p></div>")
        elif pick == 4:
            self.raw("<noscript><p>Please enable JavaScript to view this page.</p></noscript>")
        elif pick == 5:
            self.raw("<style>.x{display:none}</style>")
        elif pick == 6:
            self.raw('<span style="display: none">tracking</span>')
        else:
            self.raw('<template><div class="card"><p>Template text</p></div></template>')


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out[:6]


def _e(text: str) -> str:
    return htmllib.escape(text, quote=False)


def _href(rng: random.Random) -> str:
    return f' href="/{rng.choice(["news", "story", "a", "article", "p"])}/{rng.randrange(10**6)}"'


def _linked(text: str, rng: random.Random) -> str:
    """A line of link text, or a label then a link ("Read also: <a>...</a>")."""
    head, sep, rest = text.partition(": ")
    if sep and 0 < len(head) <= 25 and rest:
        return f"{_e(head)}: <a{_href(rng)}>{_e(rest)}</a>"
    for separator in (" | ", " › ", " > ", " / ", " · "):
        if separator in text:
            return _e(separator).join(f"<a{_href(rng)}>{_e(p)}</a>" for p in text.split(separator))
    return f"<a{_href(rng)}>{_e(text)}</a>"


# --------------------------------------------------------------- regions
def _render_header(p: _Page, items: list[tuple[int, str]]) -> None:
    s, rng = p.style, p.rng
    tag = "header" if s.skeleton in ("html5", "amp") else "div"
    p.open(tag, "header")
    if rng.random() < 0.5:
        p.chrome(
            "Skip to content",
            f'<a class="skip-link" href="#main">Skip to content</a><div{p.cls("navitem")}></div>',
        )
    p.raw(
        '<button type="button" aria-label="Menu">'
        '<svg viewBox="0 0 10 10"><path d="M0 0h10"/></svg>Menu</button>'
    )
    if rng.random() < 0.6:
        _link_list(p, "nav", _menu(p, rng.randrange(6, 60)))
    if s.nav == "table":
        p.raw("<table><tr>")
        for i, text in items:
            p.line(i, f"<td>{_linked(text, rng)}</td>")
        p.raw("</tr></table>")
    elif s.nav == "ul":
        p.open("nav" if tag == "header" else "div", "nav")
        p.raw("<ul>")
        for i, text in items:
            p.line(i, f"<li{p.cls('navitem')}>{_linked(text, rng)}</li>")
        p.raw("</ul>")
        p.close("nav" if tag == "header" else "div")
    elif s.nav == "div-a":
        p.open("div", "nav")
        for i, text in items:
            p.line(i, f"<div{p.cls('navitem')}>{_linked(text, rng)}</div>")
        p.close("div")
    else:  # p-links
        for i, text in items:
            p.line(i, f"<p>{_linked(text, rng)}</p>")
    p.raw('<form role="search"><input type="search" placeholder="Search"><button>Go</button></form>')
    p.close(tag)


def _render_ads(p: _Page, items: list[tuple[int, str]]) -> None:
    for i, text in items:
        _ad(p, i, text)


def _ad(p: _Page, i: int, text: str) -> None:
    s, rng = p.style, p.rng
    link = f'<a{_href(rng)} rel="sponsored">{_e(text)}</a>' if rng.random() < 0.7 else _e(text)
    if s.ads == "ins":
        p.line(
            i,
            f'<div{p.cls("ad")}><ins class="adsbygoogle" data-ad-slot="{rng.randrange(10**9)}"></ins>'
            f"<p>{link}</p></div>",
        )
    elif s.ads == "amp":
        p.line(
            i,
            f'<div{p.cls("ad")}><amp-ad width="300" height="250" type="doubleclick"></amp-ad>'
            f"<div>{link}</div></div>",
        )
    elif s.ads == "table":
        p.line(i, f'<table><tr><td align="center">{link}</td></tr></table>')
    elif s.ads == "center":
        p.line(i, f"<center>{link}</center>")
    elif s.ads == "aside":
        p.line(i, f"<aside{p.cls('ad')}><p>{link}</p></aside>")
    elif s.ads == "iframe":
        p.line(
            i, f'<div{p.cls("ad")}><iframe src="/ads/{rng.randrange(999)}"></iframe><div>{link}</div></div>'
        )
    else:
        p.line(i, f"<div{p.cls('ad')}><div>{link}</div></div>")


def _render_head(p: _Page, items: list[tuple[int, str, str]]) -> None:
    s = p.style
    p.open("header" if s.skeleton in ("html5", "amp") else "div", "head")
    in_meta = False
    for i, text, role in items:
        if role == "headline":
            if in_meta:
                _close_meta(p)
                in_meta = False
            _headline(p, i, text)
        else:
            if not in_meta:
                _open_meta(p)
                in_meta = True
            _meta_line(p, i, text)
    if in_meta:
        _close_meta(p)
    p.close("header" if s.skeleton in ("html5", "amp") else "div")


# Markup of a headline or sub-heading by form ({c}: the class attribute, {t}: the text).
_HEADLINE_FORMS = {
    "div": "<div{c}>{t}</div>",
    "td-b": '<table><tr><td class="title"><b>{t}</b></td></tr></table>',
    "font": '<p><font size="5"><b>{t}</b></font></p>',
    "p-b": "<p><b>{t}</b></p>",
}
_SUBHEAD_FORMS = {
    "div": "<div{c}>{t}</div>",
    "div-b": "<div{c}><b>{t}</b></div>",
    "td-b": "<table><tr><td><b>{t}</b></td></tr></table>",
    "font-b": '<p><font size="4"><b>{t}</b></font></p>',
    "b-br": "<br><b>{t}</b><br>",
    "p-b": "<p><strong>{t}</strong></p>",
}


def _heading(p: _Page, i: int, text: str, form: str, kind: str, forms: dict[str, str]) -> None:
    c, t = p.cls(kind), _e(text)
    if form in ("h1", "h2", "h3", "h4"):
        p.line(i, f"<{form}{c}>{t}</{form}>")
    else:
        p.line(i, forms.get(form, forms["p-b"]).format(c=c, t=t))


def _headline(p: _Page, i: int, text: str) -> None:
    _heading(p, i, text, p.style.headline, "headline", _HEADLINE_FORMS)


def _open_meta(p: _Page) -> None:
    meta = p.style.meta
    if meta == "table":
        p.raw("<table><tr>")
    elif meta == "dl":
        p.raw(f"<dl{p.cls('meta')}>")
    else:
        p.open("div", "meta")


def _close_meta(p: _Page) -> None:
    meta = p.style.meta
    p.raw("</tr></table>" if meta == "table" else "</dl>" if meta == "dl" else "</div>")


def _meta_line(p: _Page, i: int, text: str) -> None:
    meta, rng = p.style.meta, p.rng
    t = _e(text)
    kind = "byline" if text.lower().startswith("by ") else "date" if _DATE_LIKE.search(text) else "meta"
    if text.lower().strip(" :|") in _SHARE_WORDS:
        body = f"<a{_href(rng)}>{t}</a>"
    elif kind == "byline" and rng.random() < 0.6:
        body = f'{_e(text[:3])}<a{_href(rng)} rel="author">{_e(text[3:])}</a>'
    elif kind == "date" and meta in ("time", "spans", "div"):
        body = f'<time datetime="2024-01-01">{t}</time>'
    else:
        body = t
    if meta == "table":
        p.line(i, f"<td>{body}</td>")
    elif meta == "dl":
        p.line(i, f"<dd{p.cls(kind)}>{body}</dd>")
    elif meta == "spans":
        p.line(i, f"<div><span{p.cls(kind)}>{body}</span></div>")
    elif meta == "p":
        p.line(i, f"<p{p.cls(kind)}>{body}</p>")
    else:
        p.line(i, f"<div{p.cls(kind)}>{body}</div>")


def _render_body(p: _Page, items: list[tuple[int, str, str]]) -> None:
    s, rng = p.style, p.rng
    for _ in range(s.wrappers):
        p.open("div", rng.choice(["body", "main", "page", "article", "widget"]))
    p.open("div", "body")
    # Now and then a run of short body paragraphs is a list (key points, specifications).
    listed: set[int] = set()
    if rng.random() < 0.3:
        runs = [k for k in range(len(items) - 1) if items[k][2] == items[k + 1][2] == "body"]
        if runs:
            first = rng.choice(runs)
            last = first
            while last + 1 < len(items) and items[last + 1][2] == "body" and last - first < 5:
                last += 1
            listed = set(range(first, last + 1))
    k = 0
    while k < len(items):
        i, text, role = items[k]
        if k in listed:
            tag = "ol" if rng.random() < 0.3 else "ul"
            p.raw(f"<{tag}>")
            while k in listed:
                p.line(items[k][0], f"<li>{_e(items[k][1])}</li>")
                k += 1
            p.raw(f"</{tag}>")
            continue
        if role == "caption":
            credits = []
            while (
                k + 1 < len(items)
                and items[k + 1][2] in ("credit", "inline")
                and "credit" in items[k + 1][1].lower()
            ):
                credits.append(items[k + 1])
                k += 1
            _figure(p, i, text, credits)
        elif role == "credit":
            _figure(p, None, "", [(i, text, role)])
        elif role == "subhead":
            _subhead(p, i, text)
        elif role == "quote" and rng.random() < 0.5:
            p.line(i, f"<blockquote{p.cls('quote')}><p>{_e(text)}</p></blockquote>")
        elif role == "repeat":
            p.line(i, f"<aside{p.cls('quote')}><p>{_e(text)}</p></aside>" if rng.random() < 0.5
                   else f"<h2{p.cls('subhead')}>{_e(text)}</h2>")  # fmt: skip
        elif role == "inline":
            _inline(p, i, text)
        else:
            _paragraph(p, i, text)
        if rng.random() < 0.08:
            p.noise()
        k += 1
    p.close("div")
    for _ in range(s.wrappers):
        p.close("div")


def _paragraph(p: _Page, i: int, text: str) -> None:
    form, rng = p.style.paragraph, p.rng
    t = _e(text)
    if rng.random() < 0.15:  # a link inside the paragraph
        words = t.split(" ")
        if len(words) > 6:
            a = rng.randrange(1, len(words) - 3)
            words[a] = f"<a{_href(rng)}>{words[a]}"
            words[a + 1] = f"{words[a + 1]}</a>"
            t = " ".join(words)
    if form == "p":
        p.line(i, f"<p{p.cls('para')}>{t}</p>")
    elif form == "div":
        p.line(i, f"<div{p.cls('para')}>{t}</div>")
    elif form == "div-field":
        p.line(i, f'<div class="field-item">{t}</div>')
    elif form == "section":
        p.line(i, f"<section{p.cls('para')}><p>{t}</p></section>")
    elif form == "td":
        p.line(i, f'<table><tr><td style="font-size:14px">{t}</td></tr></table>')
    else:  # br: paragraphs separated by line breaks inside one container
        p.line(i, f"{t}<br><br>")


def _subhead(p: _Page, i: int, text: str) -> None:
    _heading(p, i, text, p.style.subhead, "subhead", _SUBHEAD_FORMS)


def _figure(p: _Page, i: int | None, text: str, credits: list[tuple[int, str, str]]) -> None:
    form, rng = p.style.caption, p.rng
    img = f'<img src="/img/{rng.randrange(10**6)}.jpg" alt="photo" loading="lazy">'
    if p.style.skeleton == "amp":
        src = f"/img/{rng.randrange(10**6)}.jpg"
        img = f'<amp-img src="{src}" width="800" height="450" layout="responsive"></amp-img>'
    t = _e(text)

    def credit_lines(tag: str) -> None:
        for j, c, _ in credits:
            p.line(j, f"<{tag}{p.cls('credit')}>{_e(c)}</{tag}>")

    if form == "figcaption":
        p.open("figure", "figure")
        p.raw(img)
        if i is not None:
            p.line(i, f"<figcaption{p.cls('caption')}>{t}</figcaption>")
        credit_lines("div")
        p.close("figure")
    elif form == "table-caption":
        p.raw(f"<table{p.cls('figure')}><tr><td>{img}</td></tr>")
        if i is not None:
            p.line(i, f'<tr><td class="tr-caption">{t}</td></tr>')
        for j, c, _ in credits:
            p.line(j, f"<tr><td>{_e(c)}</td></tr>")
        p.raw("</table>")
    elif form in ("p-i", "td-i"):
        p.raw(f"<p>{img}</p>")
        if i is not None:
            p.line(i, f"<p><i>{t}</i></p>")
        credit_lines("p")
    elif form == "span-class":
        p.open("div", "figure")
        p.raw(f"<div>{img}</div>")
        if i is not None:
            p.line(i, f"<div><span{p.cls('caption')}>{t}</span></div>")
        credit_lines("div")
        p.close("div")
    elif form == "div":
        p.raw(f"<div>{img}</div>")
        if i is not None:
            p.line(i, f"<div>{t}</div>")
        credit_lines("div")
    else:  # p-class, div-class
        tag = "p" if form == "p-class" else "div"
        p.open("div", "figure")
        p.raw(img)
        if i is not None:
            p.line(i, f"<{tag}{p.cls('caption')}>{t}</{tag}>")
        credit_lines(tag)
        p.close("div")


def _inline(p: _Page, i: int, text: str) -> None:
    rng = p.rng
    if _AD_WORDS.search(text) or text.startswith("[") or text.isupper():
        _ad(p, i, text)
    elif ": " in text[:26] or text.lower().startswith(("read", "see also", "related", "more")):
        p.line(i, f"<p{p.cls('inline')}>{_linked(text, rng)}</p>" if rng.random() < 0.5
               else f"<aside{p.cls('inline')}><div>{_linked(text, rng)}</div></aside>")  # fmt: skip
    elif "credit" in text.lower() or text.startswith(("(Photo", "Photo")):
        p.line(i, f"<p{p.cls('credit')}><small>{_e(text)}</small></p>")
    else:
        p.open("div", "newsletter")
        p.line(i, f"<p>{_e(text)}</p>")
        p.raw('<form action="/subscribe"><input type="email" name="email" placeholder="Your e-mail">'
              "<button type=\"submit\">Sign up</button></form>")  # fmt: skip
        p.close("div")


def _render_foot(p: _Page, items: list[tuple[int, str]]) -> None:
    rng = p.rng
    p.open("footer" if p.style.skeleton in ("html5", "amp") else "div", "foot")
    for i, text in items:
        lowered = text.lower()
        if lowered.strip(" :|") in _SHARE_WORDS or lowered.startswith("share"):
            p.line(i, f"<div{p.cls('share')}><a{_href(rng)}>{_e(text)}</a></div>")
        elif lowered.startswith(("tags", "topics", "filed under", "categories")):
            head, _, rest = text.partition(":")
            parts = [x.strip() for x in re.split(r"[,|]", rest) if x.strip()] if rest else []
            if parts and ", ".join(parts) == rest.strip():
                links = ", ".join(f"<a{_href(rng)}>{_e(x)}</a>" for x in parts)
                p.line(i, f"<div{p.cls('tags')}>{_e(head)}: {links}</div>")
            else:
                p.line(i, f"<div{p.cls('tags')}>{_e(text)}</div>")
        elif lowered.startswith(("previous", "next", "read", "more")):
            p.line(i, f"<div{p.cls('relitem')}>{_linked(text, rng)}</div>")
        else:
            p.line(i, f"<p>{_e(text)}</p>")
    p.close("footer" if p.style.skeleton in ("html5", "amp") else "div")


def _render_related(p: _Page, items: list[tuple[int, str, str]]) -> None:
    s, rng = p.style, p.rng
    tag = "section" if s.skeleton in ("html5", "amp") else "div"
    p.open(tag, "related")
    k = 0
    while k < len(items) and items[k][2] == "related_header":
        p.line(
            items[k][0],
            f"<h3>{_e(items[k][1])}</h3>" if rng.random() < 0.7 else f"<div><b>{_e(items[k][1])}</b></div>",
        )
        k += 1
    rest = items[k:]
    form = s.related
    if form in ("ul", "ol"):
        p.raw(f"<{form}>")
        for i, text, role in rest:
            p.line(i, f"<li{p.cls('relitem')}><a{_href(rng)}>{_e(text)}</a></li>" if role == "related"
                   else f"<li><b>{_e(text)}</b></li>")  # fmt: skip
        p.raw(f"</{form}>")
    elif form == "cards":
        teasers = rng.random() < 0.5
        for i, text, _ in rest:
            p.raw(f'<div{p.cls("card")}><a{_href(rng)}><img src="/t/{rng.randrange(10**5)}.jpg" alt="">')
            p.line(i, f"<h4>{_e(text)}</h4>" if rng.random() < 0.6 else f"<div>{_e(text)}</div>")
            p.raw("</a>")
            if teasers and p.pool.paragraphs:
                teaser = rng.choice(p.pool.paragraphs)
                p.chrome(teaser, f"<p{p.cls('teaser')}>{_e(teaser)}</p>")
            p.raw("</div>")
    elif form == "table":
        p.raw("<table>")
        for i, text, _ in rest:
            p.line(i, f'<tr><td><span class="bullet"></span><a{_href(rng)}>{_e(text)}</a></td></tr>')
        p.raw("</table>")
    elif form == "dl":
        p.raw("<dl>")
        for i, text, _ in rest:
            p.line(i, f"<dt><a{_href(rng)}>{_e(text)}</a></dt>")
        p.raw("</dl>")
    else:  # p-links
        for i, text, _ in rest:
            p.line(i, f"<p><a{_href(rng)}>{_e(text)}</a></p>")
    p.close(tag)


def _render_sidebar(p: _Page, items: list[tuple[int, str]]) -> None:
    tag = "aside" if p.style.skeleton in ("html5", "amp") else "div"
    p.open(tag, "sidebar")
    p.open("div", "widget")
    for i, text in items:
        p.line(i, f"<p>{_e(text)}</p>")
    p.close("div")
    p.close(tag)


def _render_comments(p: _Page, items: list[tuple[int, str]]) -> None:
    s, rng = p.style, p.rng
    if s.comments == "table":
        p.raw("<table>")
        for i, text in items:
            p.line(i, f"<tr><td>{_e(text)}</td></tr>")
        p.raw("</table>")
        return
    tag = "section" if s.comments == "section" else "div"
    p.open(tag, "comments", ' id="comments"' if p.style.names != "ids" else "")
    for n, (i, text) in enumerate(items):
        if n == 0 and len(text) < 40:
            p.line(i, f"<h3>{_e(text)}</h3>")
        elif len(text) < 60 and text.endswith(("*", ":")):
            p.line(i, f"<p><label>{_e(text)}</label></p>")
        else:
            p.line(i, f"<div{p.cls('comment')}><p>{_e(text)}</p></div>")
    if rng.random() < 0.7:
        p.raw(
            '<form id="commentform"><textarea name="comment"></textarea>'
            '<input type="submit" value="Post Comment"></form>'
        )
    p.close(tag)


def _render_footer(p: _Page, items: list[tuple[int, str]]) -> None:
    s, rng = p.style, p.rng
    if rng.random() < 0.3:
        _more_stories(p)
    if rng.random() < 0.6:
        _link_list(p, "footer", rng.sample(_FOOTER_LINKS, rng.randrange(4, 15)))
    if s.footer == "table":
        p.raw("<table><tr>")
        for i, text in items:
            p.line(i, f"<td>{_linked(text, rng) if len(text) < 40 else _e(text)}</td>")
        p.raw("</tr></table>")
        return
    tag = "footer" if s.footer == "footer" and s.skeleton in ("html5", "amp") else "div"
    if s.footer == "center":
        tag = "center"
    p.open(tag, "footer")
    for i, text in items:
        if "cookie" in text.lower():
            p.line(i, f"<div{p.cls('cookie')}><p>{_e(text)}</p></div>")
        elif len(text) < 40 and not text.startswith(("©", "(c)", "Copyright")):
            p.line(
                i,
                f"<div><a{_href(rng)}>{_e(text)}</a></div>"
                if s.footer != "p"
                else f"<p><a{_href(rng)}>{_e(text)}</a></p>",
            )
        else:
            p.line(i, f"<p>{_linked(text, rng) if ' | ' in text else _e(text)}</p>")
    p.close(tag)


_RENDERERS: dict[str, Callable[..., None]] = {
    "header": _render_header,
    "ad": _render_ads,
    "foot": _render_foot,
    "sidebar": _render_sidebar,
    "comments": _render_comments,
    "footer": _render_footer,
}


def render_page(
    records: list[dict], style: Style, *, site: str, pool: Pool = Pool()
) -> tuple[str, list[str | int]]:
    """One composed page as HTML in ``style``.

    Parameters
    ----------
    records : list of dict
        The page's composed lines in order, each with ``text`` and ``role``.
    style : Style
        The markup style.
    site : str
        The site, which seeds the class names.
    pool : Pool
        Other stories' headlines and paragraphs for the style's own
        boilerplate (menus, teasers of other stories).

    Returns
    -------
    tuple of (str, list)
        The HTML, and what each of its blocks is in document order: the
        index of a record, or the text of a line the style added.
    """
    rng = random.Random(zlib.crc32(f"{SEED}|{style.name}|{records[0]['article_id']}".encode()))
    p = _Page(style, site, rng, pool, {r["text"] for r in records})
    amp = style.skeleton == "amp"
    p.raw("<!DOCTYPE html>")
    p.raw('<html amp lang="en">' if amp else '<html lang="en">')
    p.raw(f'<head><meta charset="utf-8"><title>{_e(records[0]["text"][:60])}</title>')
    p.raw('<script type="application/ld+json">{"@type":"NewsArticle"}</script>')
    if amp:
        p.raw(
            '<style amp-boilerplate>body{visibility:hidden}</style><script async src="https://cdn.ampproject.org/v0.js"></script>'
        )
    p.raw("<style>body{margin:0}</style></head>")
    p.raw(f"<body{p.cls('page')}>")
    if style.skeleton == "table":
        p.raw('<table width="100%" cellpadding="0" cellspacing="0"><tr><td>')
    elif style.skeleton != "flat":
        p.open("div", "page")

    # Consecutive lines of one region are rendered together.
    groups: list[tuple[str, list[tuple[int, str, str]]]] = []
    for index, r in enumerate(records):
        region = _REGION.get(r["role"], "body")
        if groups and groups[-1][0] == region:
            groups[-1][1].append((index, r["text"], r["role"]))
        else:
            groups.append((region, [(index, r["text"], r["role"])]))
    semantic = style.skeleton in ("html5", "amp")
    in_article = False
    with_main = semantic and rng.random() < 0.5
    for n, (region, items) in enumerate(groups):
        article_part = region in ("head", "body", "foot")
        if article_part and not in_article:
            if with_main:
                p.raw("<main>")
            p.open("article" if semantic else "div", "article")
            in_article = True
        elif not article_part and in_article:
            p.close("article" if semantic else "div")
            if with_main:
                p.raw("</main>")
            in_article = False
        if style.skeleton == "table" and n:
            p.raw("</td></tr><tr><td>")
        if region == "head":
            _render_head(p, items)
        elif region == "body":
            _render_body(p, items)
        elif region == "related":
            _render_related(p, items)
        else:
            _RENDERERS[region](p, [(i, t) for i, t, _ in items])
        if rng.random() < 0.3:
            p.noise()
    if in_article:
        p.close("article" if semantic else "div")
        if with_main:
            p.raw("</main>")
    if style.skeleton == "table":
        p.raw("</td></tr></table>")
    elif style.skeleton != "flat":
        p.close("div")
    p.raw('<script src="/static/app.js"></script></body></html>')

    order: list[str | int] = []
    lines = iter(p.lines)
    extra = dict(zip(p.extra_at, p.extra))
    for position in range(len(p.lines) + len(p.extra)):
        order.append(extra[position] if position in extra else next(lines))
    return "".join(p.parts), order


def style_for(site: str, article_id: str, *, heldout: bool) -> Style:
    """The style of a page: its site's main style, or now and then its second (an AMP or mobile version)."""
    pool = [s for s in STYLES if heldout or s.name not in HELDOUT_STYLES]
    first = zlib.crc32(f"{SEED}|style|{site}".encode()) % len(pool)
    if zlib.crc32(f"{SEED}|variant|{article_id}".encode()) % 5 == 0:
        second = zlib.crc32(f"{SEED}|style2|{site}".encode()) % len(pool)
        return pool[second]
    return pool[first]


def rendered_page(records: list[dict], *, heldout: bool, pool: Pool = Pool()) -> tuple[HtmlPage, list[dict]]:
    """A composed page rendered in its site's style and parsed back: the blocks and their labels.

    Half the sites print typographic quotes and dashes (:func:`smarten`).

    Raises
    ------
    ValueError
        If the parsed blocks are not the rendered lines (a bug of a style).
    """
    site = records[0].get("site") or records[0]["article_id"]
    style = style_for(site, records[0]["article_id"], heldout=heldout)
    if zlib.crc32(f"{SEED}|smart|{site}".encode()) % 2:
        records = [{**r, "text": smarten(r["text"])} for r in records]
    markup, order = render_page(records, style, site=site, pool=pool)
    page = parse_html(markup)
    labels = []
    for item in order:
        if isinstance(item, int):
            labels.append(records[item])
        else:
            labels.append({"text": item, "relevant": False, "event": None, "body": False})
    expected = [" ".join(r["text"].split()) for r in labels]
    if list(page) != expected:
        k = next((k for k, (a, b) in enumerate(zip(page, expected)) if a != b), min(len(page), len(expected)))
        raise ValueError(
            f"{records[0]['article_id']} in style {style.name}: block {k} is "
            f"{page[k] if k < len(page) else None!r}, expected {expected[k] if k < len(expected) else None!r}"
        )
    return page, labels


# One training page in this many is rendered a second time in an unknown language (:func:`unknown_language`).
UNKNOWN_LANGUAGE_EVERY = 8
_LETTERS = re.compile(r"[^\W\d_]+")


def unknown_language(page: HtmlPage, seed: str) -> HtmlPage:
    """The page with every word replaced by a made-up word of the same length and case.

    The text classifier's words are English; on a page in another language
    they are unknown, and only layout and markup can find the article.  These
    renderings teach the HTML classifier to do so: the same blocks and labels,
    words the model has never seen (one made-up word per word of the page, so a
    page still repeats its own words), numbers, punctuation and every
    character count (hence link densities) kept.
    """
    rng = random.Random(f"{SEED}|unknown|{seed}")
    made_up: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        key = word.lower()
        if key not in made_up:
            made_up[key] = "".join(
                rng.choice("bdfgklmnprstvz" if i % 2 == 0 else "aeiou") for i in range(len(word))
            )
        new = made_up[key]
        if word.isupper() and len(word) > 1:
            return new.upper()
        return new.capitalize() if word[0].isupper() else new

    blocks = [block._replace(text=_LETTERS.sub(swap, block.text)) for block in page.blocks]
    return HtmlPage(blocks, url=page.url, encoding=page.encoding)


def html_pages(part: str) -> Pages:
    """Every composed page of ``part`` (``train`` or ``heldout``) rendered as HTML, with its labels.

    Pages keep their site (so that folds grouped by site hold a page's text
    and HTML renderings together) and get the article id ``ID#html``.  One
    training page in ``UNKNOWN_LANGUAGE_EVERY`` is also rendered in an unknown
    language (``ID#html-unknown``, :func:`unknown_language`); the held-out
    pages stay comparable with their text.
    """
    composed = compose_corpus(roles=True, excerpts=False, compositions=1)[part]
    everything = [r for site in sorted(composed) for r in composed[site]]
    pool = Pool(
        headlines=tuple(r["text"] for r in everything if r["role"] == "headline"),
        paragraphs=tuple(r["text"] for r in everything if r["role"] == "body" and len(r["text"]) > 80),
    )
    rendered: list[tuple[str, str, HtmlPage, list[dict]]] = []
    for site in sorted(composed):
        by_page: dict[str, list[dict]] = {}
        for record in composed[site]:
            # The text pages' archive widgets (training/compose.py): in HTML, their markup tells them apart.
            if record["role"] != "archive":
                by_page.setdefault(record["article_id"], []).append(record)
        for article_id, records in sorted(by_page.items()):
            page, labels = rendered_page(records, heldout=part == "heldout", pool=pool)
            rendered.append((f"{article_id}#html", site, page, labels))
            if (
                part == "train"
                and zlib.crc32(f"{SEED}|unknown|{article_id}".encode()) % UNKNOWN_LANGUAGE_EVERY == 0
            ):
                rendered.append(
                    (f"{article_id}#html-unknown", site, unknown_language(page, article_id), labels)
                )
    return Pages(
        ids=[r[0] for r in rendered],
        sites=[r[1] for r in rendered],
        texts=[r[2] for r in rendered],
        relevant=[[bool(x["relevant"]) for x in r[3]] for r in rendered],
        events=[[x["event"] for x in r[3]] for r in rendered],
        body=[[True if x["relevant"] else x.get("body") for x in r[3]] for r in rendered],
    )
