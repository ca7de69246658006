"""Headline changes -> an inline SVG of horizontal bars (no chart library, no script).

Bars start at a zero line; decreases go left in another colour, so the sign reads without the
numbers. Labels exist in both languages as two <text> elements, shown by the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from .html import esc

WIDTH, LABEL_W, VALUE_W, ROW_H, TOP = 760, 300, 70, 30, 8


@dataclass(frozen=True)
class Bar:
    label_zh: str
    label_en: str
    value: float
    note: str = ""  # tooltip: the clause the number stands in
    link: str = ""  # relative URL of the number in the source text


def change_bars(bars: list[Bar], *, unit: str = "%") -> str:
    """Bars -> <svg> element; an empty list gives an empty string."""
    if not bars:
        return ""
    lo = min(0.0, *(b.value for b in bars))
    hi = max(0.0, *(b.value for b in bars))
    span = (hi - lo) or 1.0
    area = WIDTH - LABEL_W - VALUE_W * 2
    zero = LABEL_W + VALUE_W + area * (-lo / span)
    height = TOP * 2 + ROW_H * len(bars)
    out = [(f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
            f'role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">'),
           '<title id="chart-title">主要指标变化（%） / Headline indicators, change in %</title>']
    for i, b in enumerate(bars):
        y = TOP + i * ROW_H
        mid = y + ROW_H / 2
        w = abs(b.value) / span * area
        x = zero - w if b.value < 0 else zero
        cls = "neg" if b.value < 0 else "pos"
        label_x = LABEL_W - 8
        value_x = (x - 6) if b.value < 0 else (x + w + 6)
        anchor = "end" if b.value < 0 else "start"
        bar = (f'<rect class="bar {cls}" x="{x:.1f}" y="{y + 6}" width="{max(w, 1.5):.1f}" height="{ROW_H - 12}">'
               f'<title>{esc(b.note or b.label_zh)}</title></rect>')
        if b.link:
            bar = f'<a href="{esc(b.link)}">{bar}</a>'
        out.append(
            f'<g class="row">'
            f'<text class="label zh" x="{label_x}" y="{mid}" text-anchor="end" dominant-baseline="middle">{esc(_clip(b.label_zh, 21))}<title>{esc(b.label_zh)}</title></text>'
            f'<text class="label en" x="{label_x}" y="{mid}" text-anchor="end" dominant-baseline="middle">{esc(_clip(b.label_en or b.label_zh, 40))}<title>{esc(b.label_en or b.label_zh)}</title></text>'
            f'{bar}'
            f'<text class="value" x="{value_x:.1f}" y="{mid}" text-anchor="{anchor}" dominant-baseline="middle">'
            f'{esc(_signed(b.value))}{esc(unit)}</text></g>'
        )
    out.append(f'<line class="axis" x1="{zero:.1f}" x2="{zero:.1f}" y1="{TOP}" y2="{height - TOP}"/>')
    out.append("</svg>")
    return "\n".join(out)


def _signed(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text if v < 0 else f"+{text}"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
