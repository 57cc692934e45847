"""WARC files for the tests: HTML responses with broken and other records mixed in."""

from __future__ import annotations

import gzip
import io
import random
import zlib

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ARTICLE = (
    "<html><head><title>{i}</title><script>var x = 1;</script></head><body>"
    "<nav><ul><li><a href='/'>Home</a></li><li><a href='/autos'>Autos</a></li></ul></nav>"
    "<article><h1>Nio delivers {i} cars in May</h1>"
    "<p>Nio delivered {i} vehicles in May, up 40 percent from a year earlier, the company said.</p>"
    "<p>Deliveries of its smaller Onvo brand reached 6,000 units in the month.</p></article>"
    "<footer><p>&copy; 2024 Example Media</p></footer></body></html>"
)


def build_warc(n: int = 300, *, gz: bool = True, seed: int = 0) -> tuple[bytes, list[tuple[str, str]]]:
    """A WARC of ``n`` records and what each HTML response or broken record must give, in order.

    Besides HTML responses (some gzip-encoded, some chunked, some in
    windows-1252 declared by their HTTP header), it holds warcinfo, request,
    metadata and revisit records, images, JSON, redirects and 404 pages (all
    skipped), and broken records: a gzip member damaged in its middle (``gz``),
    and a record whose header cannot be read.

    Returns
    -------
    tuple of (bytes, list of (str, str))
        The archive, and per expected output record ``("page", record id)``
        or ``("error", record id)``.
    """
    rng = random.Random(seed)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    expected: list[tuple[str, str]] = []

    def response(uri: str, payload: bytes, headers: list[tuple[str, str]], status: str = "200 OK") -> str:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=http)
        writer.write_record(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "autoclass tests"}))
    for i in range(n):
        uri = f"https://news.example.com/{i}"
        kind = rng.random()
        html = ARTICLE.format(i=i).encode()
        if kind < 0.06:
            response(f"{uri}.jpg", b"\xff\xd8\xff" + bytes(64), [("Content-Type", "image/jpeg")])
        elif kind < 0.09:
            response(uri, b'{"a": 1}', [("Content-Type", "application/json")])
        elif kind < 0.12:
            response(uri, b"<html>moved</html>", [("Content-Type", "text/html")], status="301 Moved")
        elif kind < 0.14:
            response(uri, b"<html>not found</html>", [("Content-Type", "text/html")], status="404 Not Found")
        elif kind < 0.17:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=request)
            )
        elif kind < 0.20:
            writer.write_record(
                writer.create_warc_record(
                    uri, "metadata", payload=io.BytesIO(b"outlinks: 3"), warc_content_type="text/plain"
                )
            )
        elif kind < 0.23 and gz:
            start = out.tell()
            record_id = response(uri, html, [("Content-Type", "text/html")])
            end = out.tell()
            # Damage the member past its header: the record cannot be read.
            out.seek(start + (end - start) * 2 // 3)
            out.write(b"\x00damaged\x00")
            out.seek(0, 2)
            expected.append(("error", record_id))
        elif kind < 0.25:
            # A record whose header cannot be read (its length is not a number).
            record_id = f"<urn:uuid:00000000-0000-4000-8000-{i:012d}>"
            raw = (
                (
                    f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: {record_id}\r\n"
                    f"WARC-Target-URI: {uri}\r\nContent-Length: many\r\n\r\n"
                ).encode()
                + html
                + b"\r\n\r\n"
            )
            out.write(gzip.compress(raw) if gz else raw)
            expected.append(("error", record_id))
        elif kind < 0.30:
            body = gzip.compress(html)
            record_id = response(uri, body, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
            expected.append(("page", record_id))
        elif kind < 0.34:
            legacy = html.replace(b"Home", "Acc\u00e8s".encode("cp1252"))
            record_id = response(uri, legacy, [("Content-Type", "text/html; charset=windows-1252")])
            expected.append(("page", record_id))
        else:
            record_id = response(uri, html, [("Content-Type", "text/html; charset=utf-8")])
            expected.append(("page", record_id))
    return out.getvalue(), expected


def crc(data: bytes) -> int:
    """A short fingerprint of an archive, for messages."""
    return zlib.crc32(data)
