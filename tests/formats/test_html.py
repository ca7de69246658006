"""HTML reader on government-style pages written here around the sample reports."""

from __future__ import annotations

import html
import time

import pytest

from reportpub.errors import IngestError
from reportpub.formats import HTML, Table, read_report
from reportpub.formats.html import decode_html

from .samples import SAMPLES, content, facts, nonspace, original, paragraphs, txt_facts

NAV = ("首页", "政务公开", "政策解读", "办事服务")
BREADCRUMB = "当前位置：首页 > 政务公开 > 工作报告"
SHARE = "分享到：微信 微博 QQ空间"
FOOTER = ("主办单位：某市人民政府办公室", "网站标识码：1100000001 京ICP备05060933号")
CAPTION = "表1 主要指标完成情况"
DAQING = [nonspace(p.text) for p in original("daqing_2016h1_economy").paragraphs]


def page(sample: str, *, charset: str = "utf-8", table: bool = True) -> str:
    """A government web page: header, navigation, breadcrumb, the report as the article (title in
    <h1>, headings in <h2>, paragraphs indented with &nbsp; and entities), a data table with a
    rowspan, a share bar, related links and a footer; scripts and styles in between."""
    doc = original(sample)
    body = []
    for p in doc.paragraphs:
        text = html.escape(p.text).replace("，", "&#xff0c;", 1)  # a character reference
        if p.paragraph_id == 1:
            body.append(f"<h1 class='title'>{text}</h1>")
            body.append("<div class='info'><script>document.write('来源')</script></div>")
        elif p.kind == "heading":
            body.append(f"<h2>{text}</h2>")
        else:
            body.append(f"<p style='text-indent:2em'>&nbsp;&nbsp;{text}</p>")
    if table:
        body.insert(len(body) // 2, f"""<p>{CAPTION}</p>
<table border="1"><tbody>
  <tr><th>指标</th><th>2022年</th><th>增长（%）</th></tr>
  <tr><td rowspan="2">工业</td><td>4321.5亿元</td><td>7.0</td></tr>
  <tr><td>3210.4亿元</td><td>6.5</td></tr>
  <tr><td colspan="2">合计</td><td>6.8</td></tr>
</tbody></table>""")
    nav = "".join(f"<li><a href='/{i}'>{name}</a></li>" for i, name in enumerate(NAV))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>{html.escape(doc.title)}</title>
<style>p {{ text-indent: 2em }} .x::before {{ content: "样式里的字" }}</style>
<script type="text/javascript">var s = "<p>脚本里的字</p>"; if (a < b && c > d) {{ go(); }}</script>
</head><body>
<div class="header"><img src="logo.png" alt="某市人民政府"></div>
<div class="main-nav"><ul>{nav}</ul></div>
<div class="crumbs">{BREADCRUMB}</div>
<div class="article"><div class="TRS_Editor">
{chr(10).join(body)}
</div>
<div class="bdsharebuttonbox">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="related"><a href="/a">上一篇：关于某事的通知</a><a href="/b">下一篇：关于另一事的通知</a></div>
</div>
<div id="footer"><p>{FOOTER[0]}</p><p>{FOOTER[1]}</p></div>
<script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
</body></html>"""


@pytest.fixture(scope="module")
def read():
    return {sample: read_report(f"{sample}.html", page(sample).encode("utf-8")) for sample in SAMPLES}


def article(raw) -> list[str]:
    """Content paragraphs less the table caption."""
    return [p for p in content(raw) if p != CAPTION]


@pytest.mark.parametrize("sample", SAMPLES)
def test_paragraphs_are_the_txt_paragraphs(read, sample):
    raw = read[sample]
    assert raw.media_type == HTML and raw.encoding == "utf-8"
    assert [nonspace(p) for p in article(raw)] == [nonspace(p.text) for p in original(sample).paragraphs]


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_extractor_finds_the_same_facts_as_in_the_txt(read, sample):
    assert facts(read[sample], sample, extra=(CAPTION,)) == txt_facts(sample)


def test_navigation_breadcrumb_share_bar_links_and_footer_are_boilerplate_and_kept(read):
    raw = read["bda-2022-work-summary"]
    assert set(raw.boilerplate) == {*NAV, BREADCRUMB, SHARE, "上一篇：关于某事的通知下一篇：关于另一事的通知", *FOOTER}
    texts = paragraphs(raw)
    assert all(text in texts for text in raw.boilerplate)  # marked, never dropped
    assert texts[:5] == [*NAV, BREADCRUMB]


def test_scripts_styles_and_the_head_are_dropped(read):
    text = read["bda-2022-work-summary"].text
    for dropped in ("脚本里的字", "样式里的字", "来源", "_hmt", "text-indent", "document.write"):
        assert dropped not in text


def test_a_data_table_comes_back_and_leaves_the_text(read):
    raw = read["national_2023_gwr"]
    rows = (("工业", "4321.5亿元", "7.0"), ("工业", "3210.4亿元", "6.5"), ("合计", "合计", "6.8"))
    assert raw.tables == (Table(CAPTION, ("指标", "2022年", "增长（%）"), rows),)
    assert CAPTION in paragraphs(raw)
    assert not any("4321.5亿元" in p for p in paragraphs(raw))


def test_a_table_that_lays_out_the_page_is_read_as_paragraphs():
    report = "".join(f"<p>{p.text}</p>" for p in original("daqing_2016h1_economy").paragraphs)
    layout = f"""<html><body><table><tr><td><a href="/">首页</a></td></tr>
    <tr><td>{report}<table><tr><td>地区</td><td>增长</td></tr><tr><td>东区</td><td>5%</td></tr></table></td></tr>
    </table></body></html>"""
    raw = read_report("layout.html", layout.encode())
    assert raw.tables == (Table("", ("地区", "增长"), (("东区", "5%"),)),)
    assert [nonspace(p) for p in content(raw)] == DAQING


@pytest.mark.parametrize("encoding, charset, bom", [
    ("gb18030", "gb2312", b""),        # labelled GB2312, read as its superset GB18030
    ("gbk", "GBK", b""),
    ("gb18030", None, b""),            # no label: not UTF-8, so GB18030
    ("utf-8", None, b"\xef\xbb\xbf"),  # a BOM wins over a wrong label
    ("utf-8", "gb2312", b"\xef\xbb\xbf"),
])
def test_encodings(encoding, charset, bom):
    text = page("daqing_2016h1_economy", charset=charset or "x", table=False)
    if charset is None:
        text = text.replace('<meta charset="x">', "")
    raw = read_report("page.htm", bom + text.encode(encoding))
    assert [nonspace(p) for p in content(raw)] == DAQING


def test_a_meta_http_equiv_charset_is_honoured():
    data = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            "<body><p>增长８％</p></body></html>").encode("gb18030")
    assert decode_html(data)[1] == "gb18030"
    assert read_report("p.html", data).text.strip() == "增长８％"


def test_an_undecodable_page_is_refused():
    data = b"<html><meta charset='utf-8'><p>\x81\xff\x81\xff</p>"  # neither UTF-8 nor GB18030
    with pytest.raises(IngestError, match="not valid text in declared utf-8, UTF-8 or GB18030"):
        read_report("p.html", data)


def test_absurd_nesting_and_a_script_deep_inside():
    depth = 100_000
    data = ("<html><body>" + "<div>" * depth + "<p>深处的段落，增长5%。</p><script>alert('脚本')</script>"
            + "</div>" * depth + "<p>之后的段落。</p></body></html>").encode()
    started = time.perf_counter()
    raw = read_report("deep.html", data)
    assert time.perf_counter() - started < 5
    assert paragraphs(raw) == ["深处的段落，增长5%。", "之后的段落。"]
    unclosed = ("<html><body>" + "<div><span>字" * depth + "<script>alert('脚本')</script>").encode()
    raw = read_report("unclosed.html", unclosed)
    assert "脚本" not in raw.text and raw.text.count("字") == depth


def test_a_large_page_reads_in_seconds():
    paragraph = "".join(f"<div class='p'><p><span>{p.text}</span><a href='/x'>链接</a></p></div>\n"
                        for p in original("national_2023_gwr").paragraphs)
    data = ("<html><body>" + paragraph * 200 + "</body></html>").encode()
    assert len(data) > 10_000_000
    started = time.perf_counter()
    raw = read_report("big.html", data)
    elapsed = time.perf_counter() - started
    assert len(paragraphs(raw)) == 200 * len(original("national_2023_gwr").paragraphs)
    assert elapsed < 10, f"{len(data) / 1e6:.0f} MB took {elapsed:.1f} s"


def test_furniture_by_tag_role_and_name_but_not_the_article_header():
    data = """<html><body>
    <header><a href="/">首页</a> 某市人民政府门户网站</header>
    <article><header><h1>年度工作报告</h1></header><p>全年增长5%。</p>
      <aside>相关阅读：某文</aside><div role="navigation">上一页 下一页</div></article>
    <div class="sidebar">热点专题</div><div id="ToolBar">打印 关闭</div>
    <div class="footnote">注：数据为初步核算数。</div>
    </body></html>""".encode()
    raw = read_report("p.html", data)
    assert raw.boilerplate == ("首页 某市人民政府门户网站", "相关阅读：某文", "上一页 下一页", "热点专题", "打印 关闭")
    assert content(raw) == ["年度工作报告", "全年增长5%。", "注：数据为初步核算数。"]


def test_a_page_that_is_all_furniture_by_its_names_keeps_its_text_as_content():
    raw = read_report("p.html", "<html><body><div class='menu-open'><p>全年增长5%。</p></div></body></html>".encode())
    assert (raw.boilerplate, content(raw)) == ((), ["全年增长5%。"])
