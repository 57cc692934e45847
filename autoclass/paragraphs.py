"""Splitting a scraped page into paragraphs, exactly as the labeling guide defines them."""

from __future__ import annotations

import re

#: Longest page :func:`autoclass.predict` and ``autoclass predict`` read by
#: default, in characters (``max_chars``, ``--max-chars``): ten times a long
#: article page, so that a runaway scrape (a binary file, a whole site in one
#: record) is refused instead of tying up a worker.
DEFAULT_MAX_CHARS = 1_000_000
#: An HTML page may be this many times longer than ``max_chars``: its markup,
#: scripts and styles are several times its text (real news pages reach 1.5 MB).
HTML_SIZE_FACTOR = 10

# Control characters (C0 and C1) that are not line boundaries for str.splitlines(), and the
# byte-order mark (U+FEFF, at a page's start or where files were joined); scrapers
# leave them in and they carry no meaning.
_CONTROL_CHARS = r"\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ufeff"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# Zero-width and other invisible characters (direction marks, which Hebrew and Arabic scrapes
# are full of, bidi controls, the soft hyphen, blank fillers): stripped at a line's ends as white
# space is (a line of them alone is blank), kept inside a line, where joiners shape emoji and
# scripts.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\u200e\u200f\u061c\u00ad\u2061\u2062\u2063\u2064\u202a\u202b\u202c"
    "\u202d\u202e\u2066\u2067\u2068\u2069\u180e\u115f\u1160\u3164\uffa0\u2800"
)
_ZERO_WIDTH = "".join(sorted(_INVISIBLE))
_EDGES = re.compile(f"^[\\s{_ZERO_WIDTH}]+|[\\s{_ZERO_WIDTH}]+$")
# A character split_paragraphs keeps: neither white space, invisible nor a dropped control.
_CONTENT = re.compile(f"[^\\s{_ZERO_WIDTH}{_CONTROL_CHARS}]")
# Lone surrogates: a str may hold them (json.loads("\"\\ud800\""), surrogateescape
# decoding) but no UTF-8 output can, so they become U+FFFD as a decoder would make them.
SURROGATE = re.compile("[\ud800-\udfff]")


def has_paragraphs(text: str) -> bool:
    """Whether :func:`split_paragraphs` would find any paragraph in ``text``.

    Examples
    --------
    >>> has_paragraphs(" \\n\\t\\x00"), has_paragraphs("Title")
    (False, True)
    """
    return _CONTENT.search(text) is not None


def split_paragraphs(text: str) -> list[str]:
    r"""Split page text into paragraphs: one per non-blank line, in page order.

    Lines are those of :meth:`str.splitlines` (``\n``, ``\r\n``, ``\r`` and
    the Unicode line separators real pages use).  Surrounding white space (and
    invisible characters: zero-width spaces and joiners, direction marks, soft
    hyphens) is stripped, blank lines are dropped and
    exact duplicates are kept, as the labeling guide requires.  Control
    characters that are not line breaks, and byte-order marks, are removed,
    and lone surrogates (``"\ud800"``) become U+FFFD, the replacement
    character, so that every paragraph can be written as UTF-8.

    Parameters
    ----------
    text : str
        The plain text of one scraped page.

    Returns
    -------
    list of str
        The paragraphs.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> split_paragraphs("Title\n\n  Body text.  \nShare\nShare\n")
    ['Title', 'Body text.', 'Share', 'Share']
    >>> split_paragraphs("\ufeffNio\x00 cars\r\n\u200b\r\nCaf\udce9")[1] == "Caf\N{REPLACEMENT CHARACTER}"
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"page text must be str, not {type(text).__name__}")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if text.isascii():
        return [line for line in (raw.strip() for raw in text.splitlines()) if line]
    if SURROGATE.search(text):
        text = SURROGATE.sub("\ufffd", text)
    return [line for line in map(strip_invisible, text.splitlines()) if line]


def strip_invisible(line: str) -> str:
    """``line`` without the white space and invisible characters at its ends."""
    line = line.strip()
    # The regex only for the rare line that starts or ends with an invisible character.
    if line and (line[0] in _INVISIBLE or line[-1] in _INVISIBLE):
        return _EDGES.sub("", line)
    return line
