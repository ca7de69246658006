"""read_report: the reader is chosen by the bytes (and, for HTML, the name), never by trust in the name."""

from __future__ import annotations

import pytest

from reportpub.errors import IngestError
from reportpub.formats import DOCX, HTML, PDF, TEXT, media_type_of, read_report

from .test_pdf import text_pdf


@pytest.mark.parametrize("name, data, expected", [
    ("report.txt", b"%PDF-1.7\n...", PDF),
    ("report.pdf", b"\n\n%PDF-1.4\n", PDF),                        # a little junk before the header
    ("report.bin", b"PK\x03\x04rest", DOCX),
    ("report.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "application/msword"),
    ("page.htm", "<p>增长</p>".encode(), HTML),
    ("page.txt", b"\xef\xbb\xbf  <!DOCTYPE html><html><body>x", HTML),
    ("page", b"<html><head><title>x</title></head>", HTML),
    ("report.txt", "二〇二二年工作总结\n<附件>".encode(), TEXT),
    ("report.txt", b"<note>not a web page</note>", TEXT),
])
def test_media_type_comes_from_the_bytes(name, data, expected):
    assert media_type_of(name, data) == expected


def test_each_format_goes_to_its_reader():
    assert read_report("a.txt", text_pdf()).media_type == PDF  # misnamed: still read as a PDF
    raw = read_report("a.html", "<p>增长5%</p>".encode("gb18030"))
    assert (raw.media_type, raw.text, raw.encoding) == (HTML, "增长5%\n", "gb18030")
    raw = read_report("a.txt", "全年增长5%。\n".encode())
    assert (raw.media_type, raw.text, raw.boilerplate, raw.tables) == (TEXT, "全年增长5%。\n", (), ())


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b" \n\t", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), r"legacy Word \(.doc\)"),
])
def test_unreadable_input_is_a_clear_error(data, message):
    with pytest.raises(IngestError, match=message):
        read_report("r.doc", data)
