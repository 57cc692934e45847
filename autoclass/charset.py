"""The character encoding of an HTML document, found as browsers find it.

The order is the one of the HTML standard's encoding sniffing: a byte-order
mark; else the transport's label (an HTTP ``Content-Type`` charset); else a
``<meta charset>`` or ``<meta http-equiv="Content-Type">`` in the first 1,024
bytes; else, as browsers guess today, UTF-8 when the bytes are valid UTF-8,
and otherwise a ``<meta>`` later in the ``<head>`` (a browser re-reads the
page when it meets one), else the legacy encoding of the page's country
domain (windows-1252 by default).  Labels are read as the WHATWG Encoding standard
reads them: ``iso-8859-1`` and ``ascii`` mean windows-1252, ``gb2312`` means
GBK, ``shift_jis`` means windows-31J, a ``<meta>`` that says UTF-16 means
UTF-8.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import urlsplit

PRESCAN_BYTES = 1024
# How far into a page that is not UTF-8 a late <meta charset> is looked for (its <head>).
_LATE_SCAN = 1 << 16

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le"))

# WHATWG labels whose meaning differs from Python's codec of the same name,
# or that Python does not know; every other label goes to codecs.lookup().
_GROUPS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
    "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252 x-user-defined",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "gb18030": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
    "ksc5601 ksc_5601 windows-949",
    "koi8_u": "koi8-ru koi8-u",
    "utf-16-be": "unicodefffe utf-16be",
    "utf-16-le": "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
}
_LABELS = {label: codec for codec, labels in _GROUPS.items() for label in labels.split()}
# Labels the standard maps to its "replacement" decoder: never decoded as such.
_REFUSED = frozenset("csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement".split())

# What browsers fall back to for a page without a declaration that is not
# UTF-8, by the country domain of its address (the rest: windows-1252).
_TLD_FALLBACK = {
    **dict.fromkeys("ru ua by kz bg rs mk su".split(), "cp1251"),
    **dict.fromkeys("cn sg".split(), "gb18030"),
    **dict.fromkeys("tw hk mo".split(), "big5hkscs"),
    "jp": "cp932",
    "kr": "cp949",
    **dict.fromkeys("pl cz sk hu si hr ro".split(), "cp1250"),
    **dict.fromkeys("gr cy".split(), "cp1253"),
    "tr": "cp1254",
    "il": "cp1255",
    **dict.fromkeys("ae sa eg iq ir jo kw lb ly ma om qa sy tn ye".split(), "cp1256"),
    **dict.fromkeys("lt lv ee".split(), "cp1257"),
    "vn": "cp1258",
    "th": "cp874",
}

_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.S)
_META = re.compile(rb"<meta[\s/]([^>]*)>?", re.I)
_CHARSET_ATTR = re.compile(rb"""charset\s*=\s*["']?\s*([^\s"';>/]+)""", re.I)
_CONTENT_ATTR = re.compile(rb"""content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_HTTP_EQUIV = re.compile(rb"""http-equiv\s*=\s*["']?\s*content-type""", re.I)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';]+)""", re.I)


def codec_for(label: str | bytes | None) -> str | None:
    """Python's codec for an encoding label, read as the WHATWG Encoding standard reads it.

    Parameters
    ----------
    label : str, bytes or None
        A label as pages and servers write it (``"ISO-8859-1"``, ``"utf8"``).

    Returns
    -------
    str or None
        A codec name for :meth:`bytes.decode`, or ``None`` for an unknown or
        refused label.

    Examples
    --------
    >>> codec_for("ISO-8859-1"), codec_for(" UTF8 "), codec_for("gb2312"), codec_for("koi8-r")
    ('cp1252', 'utf-8', 'gb18030', 'koi8-r')
    >>> codec_for("no-such-encoding") is None
    True
    """
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().lower()
    if not label or label in _REFUSED:
        return None
    codec = _LABELS.get(label)
    if codec is not None:
        return codec
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_of_content_type(content_type: str | None) -> str | None:
    """The codec a ``Content-Type`` header value names, if any.

    Examples
    --------
    >>> charset_of_content_type('text/html; charset="Windows-1251"')
    'cp1251'
    >>> charset_of_content_type("text/html") is None
    True
    """
    if not content_type:
        return None
    found = _CHARSET_PARAM.search(content_type)
    return codec_for(found.group(1)) if found else None


def prescan(data: bytes, limit: int = PRESCAN_BYTES) -> str | None:
    """The codec a ``<meta>`` declares in the first ``limit`` bytes (comments skipped), if any.

    Examples
    --------
    >>> prescan(b'<html><head><meta charset="windows-1251"><title>x</title>')
    'cp1251'
    >>> prescan(b'<meta http-equiv="Content-Type" content="text/html; charset=utf-16">')
    'utf-8'
    >>> prescan(b"<!-- <meta charset=koi8-r> --><p>text") is None
    True
    """
    head = _COMMENT.sub(b"", data[:limit])
    for meta in _META.finditer(head):
        attrs = meta.group(1)
        content = _CONTENT_ATTR.search(attrs)
        bare = attrs[: content.start()] + attrs[content.end() :] if content else attrs
        codec = None
        charset = _CHARSET_ATTR.search(bare)
        if charset:
            codec = codec_for(charset.group(1))
        elif content and _HTTP_EQUIV.search(bare):
            value = next(g for g in content.groups() if g is not None)
            codec = charset_of_content_type(value.decode("ascii", "replace"))
        if codec is not None:
            # A document that declares UTF-16 in ASCII bytes cannot be UTF-16.
            return "utf-8" if codec.startswith("utf-16") else codec
    return None


def _fallback(url: str | None) -> str:
    if url:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        codec = _TLD_FALLBACK.get(host.rsplit(".", 1)[-1])
        if codec is not None:
            return codec
    return "cp1252"


def sniff(data: bytes, *, transport: str | None = None, url: str | None = None) -> tuple[str, int]:
    """The codec of an HTML document's bytes, and how many leading bytes to drop (a BOM).

    Parameters
    ----------
    data : bytes
        The document as received.
    transport : str, optional
        The charset label of the transport (an HTTP header's ``charset``).
    url : str, optional
        The document's address, whose country domain picks the fallback.

    Returns
    -------
    tuple of (str, int)
        The codec name and the length of the byte-order mark (0 if none).

    Examples
    --------
    >>> sniff(b"\\xef\\xbb\\xbf<p>caf\\xc3\\xa9", transport="iso-8859-1")
    ('utf-8', 3)
    >>> sniff(b"<p>caf\\xc3\\xa9")
    ('utf-8', 0)
    >>> sniff(b"<p>\\xcf\\xf0\\xe8\\xe2\\xe5\\xf2", url="https://example.ru/a")
    ('cp1251', 0)
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    codec = codec_for(transport) or prescan(data)
    if codec is not None:
        return codec, 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by a truncated download is still UTF-8.
        if exc.start < len(data) - 3 or exc.reason != "unexpected end of data":
            # Not UTF-8: a <meta> after the first 1,024 bytes (behind inline scripts),
            # which a browser honours when it meets it, before a guess from the domain.
            head = data[: data.find(b"</head")] if b"</head" in data[:_LATE_SCAN] else data[:_LATE_SCAN]
            return prescan(head, _LATE_SCAN) or _fallback(url), 0
    return "utf-8", 0


def decode_html(data: bytes, *, transport: str | None = None, url: str | None = None) -> tuple[str, str]:
    """Decode an HTML document's bytes as a browser would.

    Bytes that are invalid in the chosen encoding become U+FFFD.

    Parameters
    ----------
    data : bytes
        The document.
    transport, url : str, optional
        As :func:`sniff` takes them.

    Returns
    -------
    tuple of (str, str)
        The text and the codec used.

    Examples
    --------
    >>> decode_html(b'<meta charset="iso-8859-1"><p>caf\\xe9')
    ('<meta charset="iso-8859-1"><p>café', 'cp1252')
    """
    codec, skip = sniff(data, transport=transport, url=url)
    return data[skip:].decode(codec, "replace"), codec
