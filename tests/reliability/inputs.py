"""Hostile and broken reports, written here (no binary fixtures): PDF with fpdf2, DOCX with
python-docx and zipfile (bombs are streamed, never held in memory), HTML and text by hand."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from .support import SEED

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian: fonts-wqy-microhei
MB = 1024 * 1024


def seed_paragraphs(n: int | None = None) -> list[str]:
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines[:n] if n else lines


# --- PDF ------------------------------------------------------------------------------------------

def pdf(*, encrypt_with: str | None = None, image_only: bool = False) -> bytes:
    import fpdf

    assert CJK_FONT.is_file(), f"{CJK_FONT} is missing (Debian package fonts-wqy-microhei)"
    doc = fpdf.FPDF()
    doc.add_font("cjk", fname=str(CJK_FONT))
    if encrypt_with:
        doc.set_encryption(owner_password="owner-pw", user_password=encrypt_with)
    doc.add_page()
    if image_only:  # a scan: one picture of a page, no text layer
        from PIL import Image

        rng = random.Random(7)
        picture = Image.new("L", (400, 560), 255)
        picture.putdata([255 if rng.random() > 0.08 else 0 for _ in range(400 * 560)])
        buf = io.BytesIO()
        picture.save(buf, format="PNG")
        doc.image(buf, x=10, y=10, w=190)
    else:
        doc.set_font("cjk", size=12)
        for text in seed_paragraphs(12):
            doc.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def truncated_pdf() -> bytes:
    data = pdf()
    return data[: int(len(data) * 0.6)]


# --- DOCX ------------------------------------------------------------------------------------------

def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    for text in seed_paragraphs(8):
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _rewrite_docx(path: Path, write_document) -> None:
    """A real DOCX whose word/document.xml is replaced by what write_document(stream) streams."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                with out.open("word/document.xml", "w", force_zip64=True) as stream:
                    write_document(stream)
            else:
                out.writestr(info, source.read(info))


_DOC_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_DOC_TAIL = b"</w:body></w:document>"


def docx_bomb(path: Path, inflated: int = 1280 * MB) -> None:
    """A zip bomb: 1.25 GiB of XML (whitespace inside the body) deflated to ~1.3 MB."""
    def write(stream):
        stream.write(_DOC_HEAD + b"<w:p><w:r><w:t>" + seed_paragraphs(1)[0].encode() + b"</w:t></w:r></w:p>")
        chunk = b" " * MB
        for _ in range(inflated // MB):
            stream.write(chunk)
        stream.write(_DOC_TAIL)
    _rewrite_docx(path, write)


def docx_lying_bomb(path: Path) -> None:
    """A bomb whose zip headers lie: document.xml declares 2 KB but inflates to 512 MiB."""
    docx_bomb(path, inflated=512 * MB)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    offset = 0
    while True:
        at = data.find(b"PK\x01\x02", offset)
        if at < 0:
            break
        name_len = int.from_bytes(data[at + 28: at + 30], "little")
        name = bytes(data[at + 46: at + 46 + name_len])
        if name == b"word/document.xml":
            extra_len = int.from_bytes(data[at + 30: at + 32], "little")
            if int.from_bytes(data[at + 24: at + 28], "little") == 0xFFFFFFFF:  # zip64: size in the extra field
                extra = at + 46 + name_len
                end = extra + extra_len
                while extra < end:
                    tag, size = int.from_bytes(data[extra: extra + 2], "little"), \
                        int.from_bytes(data[extra + 2: extra + 4], "little")
                    if tag == 1:
                        data[extra + 4: extra + 12] = (2048).to_bytes(8, "little")
                        break
                    extra += 4 + size
            else:
                data[at + 24: at + 28] = (2048).to_bytes(4, "little")
        offset = at + 4
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size == 2048 != info.file_size


def docx_many_paragraphs(path: Path, paragraphs: int = 10_000_000) -> None:
    """A DOCX whose body holds ten million empty paragraphs (60 MB of XML, streamed)."""
    def write(stream):
        stream.write(_DOC_HEAD)
        block = b"<w:p/>" * 100_000
        for _ in range(paragraphs // 100_000):
            stream.write(block)
        stream.write(_DOC_TAIL)
    _rewrite_docx(path, write)


# --- HTML --------------------------------------------------------------------------------------------

DEEP_MARKER = "深处的段落：全市新建学校17所。"


def deep_html(path: Path, size: int = 100 * MB) -> None:
    """~size bytes of HTML: the seed report in <p>, scripts in the head, in the body and at every
    level of a nesting of `<div><script>…</script>` millions deep, a paragraph at the bottom."""
    blocks = [f"<p>{t}</p>\n" for t in seed_paragraphs()]
    head, tail = "".join(blocks[: len(blocks) // 2]), "".join(blocks[len(blocks) // 2:])
    opening = "<div class=x><script>document.write('pwned-by-script')</script>"
    closing = "</div>"
    depth = (size - len((head + tail).encode()) - 300) // (len(opening) + len(closing))
    with open(path, "w", encoding="utf-8") as f:
        f.write("<!doctype html><html><head><meta charset=utf-8><title>t</title>"
                "<script>alert('pwned-in-head')</script></head><body>")
        f.write(head)
        step = 10_000
        for done in range(0, depth, step):
            f.write(opening * min(step, depth - done))
        f.write(f"<p>{DEEP_MARKER}</p>")
        for done in range(0, depth, step):
            f.write(closing * min(step, depth - done))
        f.write(tail)
        f.write("<script>alert('pwned-at-end')</script></body></html>")


# --- text ---------------------------------------------------------------------------------------------

def big_text(path: Path, size: int) -> None:
    """A report of `size` bytes: the seed report, then plain prose (no figures) up to the size."""
    seed = SEED.read_text(encoding="utf-8").encode()
    line = ("坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，着力推动高质量发展，"
            "持续改善民生福祉，扎实推进各项工作。\n").encode()
    block = line * (MB // len(line))
    with open(path, "wb") as f:
        f.write(seed)
        written = len(seed)
        while written + len(block) <= size:
            f.write(block)
            written += len(block)
        f.write(line * ((size - written) // len(line)))


def utf16_bom_then_gb18030() -> bytes:
    return b"\xff\xfe" + "\n".join(seed_paragraphs(6)).encode("gb18030")


def utf8_bom_then_gb18030() -> bytes:
    return b"\xef\xbb\xbf" + "\n".join(seed_paragraphs(6)).encode("gb18030")


def junk(n: int = 64 * 1024) -> bytes:
    rng = random.Random(42)
    return bytes(rng.getrandbits(8) for _ in range(n))

