"""href: each path part percent-encoded as urllib's quote does it, then HTML-escaped."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from reportpub.portal.html import href

PARTS = ["datasets", "synthetic-0001", "index.html", "1.0.0", "a_b~c.d-e", "p3#r1-p4", "政府工作报告", "a b",
         "q?x=1&y=2", "<script>", "100%", "it's", 'say "hi"', "tab\there", "é", "UPPER/lower/09"]


def test_href_encodes_every_part_as_quote_does():
    for part in PARTS:
        assert href("..", part) == escape("../" + quote(part, safe="/.-_~#"), quote=True), part
    assert href("datasets", "", "index.html") == "datasets/index.html"
