"""Layout rules of Chinese report text, shared by ingest and the format readers (no imports from
reportpub, so both can load it without a cycle)."""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十"
# Characters that end a sentence: a paragraph ending with one is never glued to the next line.
SENTENCE_END = tuple("。！？；：…”」』）)!?;:")
SECTION_RE = re.compile(f"^[{CN_DIGITS}]{{1,3}}、")
SUBSECTION_RE = re.compile(f"^[（(][{CN_DIGITS}]{{1,3}}[）)]")


def is_heading(line: str) -> bool:
    """一、… or （一）… and short, with no sentence inside."""
    if len(line) > 60 or re.search(r"[。；！？]", line[:-1]):
        return False
    return bool(SECTION_RE.match(line) or (SUBSECTION_RE.match(line) and not line.endswith("。")))


def is_open_ended(text: str) -> bool:
    """A sentence cut off by a page break: long, has punctuation, no sentence end, not a heading."""
    text = text.strip()
    if is_heading(text) or len(text) < 20 or text.endswith(SENTENCE_END):
        return False
    return bool(re.search(r"[，。、；]", text))
