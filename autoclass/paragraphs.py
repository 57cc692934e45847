"""Splitting a scraped page into paragraphs, exactly as LABELS.md defines them."""

from __future__ import annotations

import re

# Control characters that are not line boundaries for str.splitlines(); scrapers
# leave them in and they carry no meaning.
_CONTROL_CHARS = r"\x00-\x08\x0e-\x1b\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# A character split_paragraphs keeps: neither white space nor a dropped control.
_CONTENT = re.compile(f"[^\\s{_CONTROL_CHARS}]")


def has_paragraphs(text: str) -> bool:
    """Whether :func:`split_paragraphs` would find any paragraph in ``text``.

    Examples
    --------
    >>> has_paragraphs(" \\n\\t\\x00"), has_paragraphs("Title")
    (False, True)
    """
    return _CONTENT.search(text) is not None


def split_paragraphs(text: str) -> list[str]:
    """Split page text into paragraphs: one per non-blank line, in page order.

    Lines are those of :meth:`str.splitlines` (``\n``, ``\r\n``, ``\r`` and
    the Unicode line separators real pages use).  Surrounding white space is
    stripped, blank lines are dropped and exact duplicates are kept, as
    LABELS.md requires.  Control characters that are not line breaks are
    removed.

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
    >>> split_paragraphs("Title\\n\\n  Body text.  \\nShare\\nShare\\n")
    ['Title', 'Body text.', 'Share', 'Share']
    """
    if not isinstance(text, str):
        raise TypeError(f"page text must be str, not {type(text).__name__}")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return [line for line in (raw.strip() for raw in text.splitlines()) if line]
