"""portal/zipped.py packs the archive Python's zipfile writes, byte for byte, also when it takes a
member's deflated bytes from memory."""

from __future__ import annotations

import io
import os
import random
import zipfile

import pytest

from reportpub.portal import zipped


def members(seed: int = 1) -> list[tuple[zipfile.ZipInfo, bytes]]:
    rng = random.Random(seed)
    out = []
    for name, data in [("datapackage.json", b'{"name": "x"}\n' * 300), ("data/empty.csv", b""),
                       ("data/数据.csv", "地区,数值\n北京,1\n".encode() * 500),
                       ("data/random.bin", bytes(rng.getrandbits(8) for _ in range(20_000))),
                       ("data/big.csv", b"a,b,c\n" + b"".join(b"%d,%d,x\n" % (i, i * i) for i in range(30_000)))]:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system, info.external_attr = 3, 0o100644 << 16
        out.append((info, data))
    return out


def by_writestr(items, level) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for template, data in items:
            info = zipfile.ZipInfo(template.filename, template.date_time)
            info.create_system, info.external_attr = template.create_system, template.external_attr
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=level)
    return buf.getvalue()


def by_file_write(items, tmp_path) -> bytes:
    """As xlsxwriter does: each member a file of mode 0600 dated 1980-01-31, ZipFile.write, no Zip64."""
    out = tmp_path / "out.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as zf:
        for template, data in items:
            path = tmp_path / "part"
            path.write_bytes(data)
            os.chmod(path, 0o600)
            zf.write(path, template.filename)
    return out.read_bytes()


@pytest.mark.parametrize("level", [9, 6, 1, None])
def test_the_archive_is_zipfiles_also_from_memory(level):
    items = members()
    expected = by_writestr(items, level)
    for _ in range(3):  # met once, met again (kept), then taken from memory
        assert zipped.zip_bytes(items, level=level) == expected
    with zipfile.ZipFile(io.BytesIO(expected)) as zf:
        assert zf.testzip() is None and zf.read("data/数据.csv") == items[2][1]


def test_fed_by_chunks_it_is_what_zipfile_writes_from_a_file(tmp_path):
    items = members(2)
    expected = by_file_write(items, tmp_path)
    with zipfile.ZipFile(io.BytesIO(expected)) as zf:
        templates = {info.filename: info for info in zf.infolist()}
    ours = [(templates[info.filename], data) for info, data in items]
    for _ in range(3):
        assert zipped.zip_bytes(ours, level=None, chunk=8192, allow_zip64=False) == expected


def test_a_member_without_permissions_gets_zipfiles_default():
    info = zipfile.ZipInfo("a.txt", date_time=(2000, 1, 1, 12, 30, 58))
    assert zipped.zip_bytes([(info, b"abc")], level=9) == by_writestr([(info, b"abc")], 9)


def test_a_kept_member_is_not_confused_with_another_level():
    items = members(3)[:1]
    for level in (9, 9, 9, 1, 1, 1):
        assert zipped.zip_bytes(items, level=level) == by_writestr(items, level)
