"""Input formats: report bytes (PDF, DOCX, HTML) -> RawText, the text ingest splits into paragraphs.

`read_report(path, data)` picks the reader from the bytes (and, for HTML, the file name), so a
misnamed file is still read right. Each reader only decides where paragraphs begin and end and
which paragraphs are page furniture: it never changes a non-whitespace character of the text.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import IngestError
from .raw import RawText, Table

__all__ = ["RawText", "Table", "media_type_of", "read_report", "PDF", "DOCX", "HTML", "TEXT"]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<?xml", b"<!--")


def media_type_of(path: str | os.PathLike, data: bytes) -> str:
    """Bytes (and file name) -> media type: PDF and ZIP by their magic bytes, HTML by its start or
    its suffix, legacy Word (OLE2) named as such; anything else is text/plain."""
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return DOCX
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if Path(path).suffix.lower() in _HTML_SUFFIXES or head.startswith(_HTML_STARTS) and (
            b"<html" in head or b"<body" in head or b"<head" in head or b"<!doctype html" in head):
        return HTML
    return TEXT


def read_report(path: str | os.PathLike, data: bytes) -> RawText:
    """Report bytes -> RawText, by the format the bytes are in. Unreadable input is an IngestError
    that says why (truncated, encrypted, scanned, not a Word document, a zip bomb, ...)."""
    name = str(path)
    media_type = media_type_of(path, data)
    if not data.strip():
        raise IngestError(f"{name}: the file is empty")
    if media_type == PDF:
        from .pdf import read_pdf
        return read_pdf(data, name)
    if media_type == DOCX:
        from .docx import read_docx
        return read_docx(data, name)
    if media_type == HTML:
        from .html import read_html
        return read_html(data, name)
    if media_type == "application/msword":
        raise IngestError(f"{name}: a legacy Word (.doc) file; save it as .docx or PDF first")
    from ..ingest import decode
    text, encoding = decode(data, name=name)
    return RawText(text=text, media_type=TEXT, encoding=encoding)
