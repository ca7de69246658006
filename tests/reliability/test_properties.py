"""Property: any Chinese text with numbers goes through ingest and extract without crashing, and
every fact is traceable: quote == paragraph.text[char_start:char_end], source_start:source_end
covers the same characters (whitespace aside) in the document text, the value is a finite float
and the unit is in the code list (or empty)."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportpub.errors import IngestError
from reportpub.extract import extract
from reportpub.ingest import document_from_text
from reportpub.units import code_list

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
WORDS = ["增长", "下降", "同比", "累计", "新增", "约", "超过", "达到", "完成", "比上年", "全市", "地区生产总值",
         "一般公共预算收入", "城镇新增就业", "固定资产投资", "其中", "以上", "左右", "不超过", "年均", "首次",
         "2022年", "上半年", "一季度", "前三季度", "到2025年", "比2020年", "由", "到", "从", "提高", "回落"]
UNITS = ["亿元", "万元", "元", "万人", "人", "%", "％", "个百分点", "家", "个", "所", "万吨", "平方公里", "倍",
         "亿", "万", "千米", "公顷", "辆", "张", "‰"]
PUNCT = ["。", "，", "、", "；", "（", "）", "：", "“", "”", " ", "\n", "\n\n", "\t", "　", "—", "-", "~", "～"]


def _number():
    ascii_number = st.builds(lambda i, f, sign: f"{sign}{i}{f}", st.integers(0, 10**9).map(str),
                             st.sampled_from(["", ".5", ".25", ".0", ".123", ".99"]),
                             st.sampled_from(["", "", "-", "+", "−"]))
    fullwidth = st.integers(0, 99999).map(lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    chinese = st.sampled_from(["三", "十二", "一百二十", "两千", "三成", "五分之一", "一倍", "零点五", "百分之五"])
    return st.one_of(ascii_number, ascii_number, fullwidth, chinese)


TOKEN = st.one_of(
    st.text(HAN, min_size=1, max_size=4),
    st.sampled_from(WORDS),
    _number(),
    st.builds(lambda n, u: n + u, _number(), st.sampled_from(UNITS)),
    st.sampled_from(UNITS),
    st.sampled_from(PUNCT),
)
REPORT = st.lists(TOKEN, min_size=1, max_size=80).map("".join)


def _nonspace(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.lists(TOKEN, max_size=6).map("".join), body=st.lists(REPORT, min_size=1, max_size=6))
def test_any_chinese_text_with_numbers_gives_traceable_facts(title, body):
    text = title + "\n" + "\n".join(body)
    try:
        doc = document_from_text(text, source_name="hypothesis.txt")
    except IngestError:  # only whitespace: refused with a message, which is fine
        assert not text.strip()
        return
    facts = extract(doc)
    paragraphs = {p.paragraph_id: p for p in doc.paragraphs}
    units = code_list()
    for f in facts:
        para = paragraphs[f.paragraph_id]
        assert f.quote == para.text[f.char_start:f.char_end], f
        assert 0 <= f.source_start < f.source_end <= len(doc.text), f
        assert _nonspace(doc.text[f.source_start:f.source_end]) == _nonspace(f.quote), \
            (f.quote, doc.text[f.source_start:f.source_end])
        assert isinstance(f.value, float) and math.isfinite(f.value), f
        assert f.value_base is None or (isinstance(f.value_base, float) and math.isfinite(f.value_base)), f
        assert f.unit == "" or f.unit in units, f


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_source_offsets_locate_each_quote_in_the_decoded_file_whatever_its_line_ends(tmp_path, newline):
    """README: `source_start:source_end` locate the quantity in the decoded source file. Reports
    saved on Windows end their lines with CRLF; the offsets must still point into that file."""
    from reportpub.ingest import ingest

    from .support import SEED

    report = tmp_path / SEED.name
    report.write_bytes(SEED.read_text(encoding="utf-8").replace("\n", newline).encode("utf-8"))
    decoded = report.read_bytes().decode("utf-8")
    facts = extract(ingest(report))
    assert facts
    wrong = [(f.quote, decoded[f.source_start:f.source_end]) for f in facts
             if _nonspace(decoded[f.source_start:f.source_end]) != _nonspace(f.quote)]
    assert wrong == [], f"{len(wrong)} of {len(facts)} facts point elsewhere in the file, e.g. {wrong[:3]}"
