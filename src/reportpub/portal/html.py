"""HTML building blocks: escaping, bilingual text, the page shell.

Every string that can come from a report goes through `esc` (HTML) or `json_for_script` (JSON
inside a <script> element); callers never build markup from raw report text. Both languages are
in every page: `.zh` and `.en` elements, one of them hidden by CSS according to
<html data-lang>, which portal.js sets from localStorage.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape
from urllib.parse import quote

from .stream import dumps

FONT_STACK = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif'


_MARKUP = re.compile("[&<>\"']").search  # what html.escape(quote=True) replaces


def esc(value) -> str:
    """Any value -> text safe inside an element or a quoted attribute ('' for None)."""
    if value is None:
        return ""
    text = value if value.__class__ is str else str(value)
    return escape(text, quote=True) if _MARKUP(text) else text


def json_for_script(obj) -> str:
    """Object -> JSON that cannot close or comment out the <script> element it is embedded in."""
    return script_safe(dumps(obj, indent=1, sort_keys=True))


def script_safe(text: str) -> str:
    """JSON text (or a piece of it) -> the same JSON, with nothing that could end a <script> element."""
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_URL_PLAIN = re.compile(r"[A-Za-z0-9/.\-_~#]*\Z").match  # what quote(safe="/.-_~#") leaves as it is


def href(*parts: str) -> str:
    """Path components -> one relative URL, each component percent-encoded and HTML-escaped."""
    return esc("/".join(p if _URL_PLAIN(p) else quote(p, safe="/.-_~#") for p in parts if p != ""))


def bi(zh: str, en: str | None = None, *, tag: str = "span") -> str:
    """Chinese and English text -> two elements, one shown per language; one text shows in both."""
    if not en or en == zh:
        return f"<{tag}>{esc(zh)}</{tag}>" if tag != "span" else esc(zh)
    return bi_html(esc(zh), esc(en), tag=tag)


def bi_html(zh_html: str, en_html: str, *, tag: str = "span") -> str:
    """Already-escaped Chinese and English markup -> the pair of language elements."""
    return f'<{tag} class="zh" lang="zh-CN">{zh_html}</{tag}><{tag} class="en" lang="en">{en_html}</{tag}>'


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def fmt_period(start: str | None, end: str | None) -> str:
    """ISO start and end dates -> '2022', '2018–2022', '2016.1–6', '2021.12–2022.2' or the two dates."""
    if not start or not end:
        return start or end or ""
    if start[5:] == "01-01" and end[5:] == "12-31":
        return start[:4] if start[:4] == end[:4] else f"{start[:4]}–{end[:4]}"
    try:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return f"{start}–{end}"
    if s.day == 1 and (e + timedelta(days=1)).day == 1:
        if s.year == e.year:
            return f"{s.year}.{s.month}" if s.month == e.month else f"{s.year}.{s.month}–{e.month}"
        return f"{s.year}.{s.month}–{e.year}.{e.month}"
    return start if start == end else f"{start}–{end}"


def page(*, root: str, title_zh: str, title_en: str, body: str, head_extra: str = "",
         page_id: str = "", canonical: str | None = None) -> str:
    """Page parts -> a whole HTML document that loads only files of the portal (relative `root`);
    `canonical`, the page's absolute URL, tells search engines which address is the page's own."""
    if canonical:
        head_extra = f'<link rel="canonical" href="{esc(canonical)}">\n' + head_extra
    return f"""<!doctype html>
<html lang="zh-CN" data-lang="zh" data-title-zh="{esc(title_zh)}" data-title-en="{esc(title_en)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reportpub">
<link rel="icon" href="data:,">
<title>{esc(title_zh)}</title>
<link rel="stylesheet" href="{root}assets/portal.css">
<script src="{root}assets/portal.js"></script>
{head_extra}</head>
<body class="{esc(page_id)}">
<header class="site">
  <a class="brand" href="{root}index.html">{bi("政府报告开放数据", "Government report open data")}</a>
  <a class="nav" href="{root}indicators/index.html">{bi("跨报告指标", "Indicators")}</a>
  <button type="button" class="lang-switch" data-lang-toggle aria-label="切换语言 / switch language">{bi("English", "中文")}</button>
</header>
<main>
{body}
</main>
<footer class="site">
  <p>{bi("数据由 reportpub 从政府公开报告中自动抽取；每个数字都注明其在原文中的位置。",
         "Data extracted by reportpub from published government reports; every number carries its place in the source text.")}</p>
  <p class="machine">{bi("机器可读目录", "Machine-readable catalogue")}:
    <a href="{root}catalog.jsonld">catalog.jsonld</a> (DCAT-AP 3) ·
    <a href="{root}data.json">data.json</a> (Project Open Data 1.1) ·
    <a href="{root}catalog.json">catalog.json</a></p>
</footer>
</body>
</html>
"""
