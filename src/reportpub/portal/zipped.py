"""Files -> the bytes of a zip archive, exactly those Python's zipfile writes for them, made without
deflating again a member it has deflated before.

Every release carries the same code lists (units, indicator codes: two thirds of a release zip's
bytes) and every workbook the same styles and theme; deflating them again for each dataset was
most of the zip's cost. A member's deflated bytes depend only on its bytes, the level and how they
were fed to zlib, so they are kept, by sha256, once a member has been seen twice (a dataset's own
tables are seen once and not kept). The archive's records are packed as zipfile packs them
(its FileHeader, central directory and end record, without Zip64); an archive that would need
Zip64 is written by zipfile itself. tests/portal/test_zipped.py compares the two byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Sequence

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
_END = struct.Struct("<4s4H2LH")  # zipfile.structEndArchive
_VERSION = 20  # zipfile.DEFAULT_VERSION: what deflate needs
_SMALL = 1 << 30  # larger archives go to zipfile (its Zip64 rules)
_UTF8_NAME = 0x800
KEPT_BYTES = 16 << 20  # deflated bytes kept in memory, at most
_deflated: OrderedDict[tuple, tuple[int, bytes]] = OrderedDict()  # (sha256, level, chunk) -> (crc, deflated)
_seen: OrderedDict[tuple, None] = OrderedDict()  # keys met once
_kept = 0


def zip_bytes(members: Sequence[tuple[zipfile.ZipInfo, bytes]], *, level: int | None, chunk: int = 0,
              allow_zip64: bool = True) -> bytes:
    """[(ZipInfo giving name, date_time, create_system, external_attr; bytes)], deflate level (None:
    zlib's default) -> the archive zipfile.ZipFile(..., ZIP_DEFLATED, allowZip64=allow_zip64)
    writes with `writestr(info, data, compresslevel=level)` for each member, or, with `chunk`, with
    `write` of a file (its bytes fed to zlib `chunk` at a time)."""
    if sum(len(data) for _, data in members) * 1.05 > _SMALL or len(members) >= 0xFFFF:
        return _by_zipfile(members, level, chunk, allow_zip64)
    out, central, at = [], [], 0
    for template, data in members:
        crc, deflated = _deflate(data, level, chunk)
        name, flags = _name(template.filename)
        y, mo, d, h, mi, s = template.date_time
        dosdate, dostime = (y - 1980) << 9 | mo << 5 | d, h << 11 | mi << 5 | (s // 2)
        out += [_LOCAL.pack(b"PK\003\004", _VERSION, 0, flags, zipfile.ZIP_DEFLATED, dostime, dosdate, crc,
                            len(deflated), len(data), len(name), 0), name, deflated]
        central += [_CENTRAL.pack(b"PK\001\002", _VERSION, template.create_system, _VERSION, 0, flags,
                                  zipfile.ZIP_DEFLATED, dostime, dosdate, crc, len(deflated), len(data),
                                  len(name), 0, 0, 0, 0, template.external_attr or 0o600 << 16, at), name]
        at += _LOCAL.size + len(name) + len(deflated)
    size = sum(map(len, central))
    return b"".join(out + central + [_END.pack(b"PK\005\006", 0, 0, len(members), len(members), size, at, 0)])


def _name(filename: str) -> tuple[bytes, int]:
    try:
        return filename.encode("ascii"), 0
    except UnicodeEncodeError:
        return filename.encode("utf-8"), _UTF8_NAME


def _deflate(data: bytes, level: int | None, chunk: int) -> tuple[int, bytes]:
    """Bytes -> (crc32, raw deflate stream) as zipfile's compressor makes it, from memory when met before."""
    global _kept
    key = (hashlib.sha256(data).digest(), level, chunk)
    if key in _deflated:
        _deflated.move_to_end(key)
        return _deflated[key]
    z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION if level is None else level, zlib.DEFLATED, -15)
    pieces = [z.compress(data[i:i + chunk]) for i in range(0, len(data), chunk)] if chunk else [z.compress(data)]
    result = (zlib.crc32(data), b"".join(pieces) + z.flush())
    if key in _seen:
        del _seen[key]
        _deflated[key] = result
        _kept += len(result[1])
        while _kept > KEPT_BYTES:
            _kept -= len(_deflated.popitem(last=False)[1][1])
    else:
        _seen[key] = None
        if len(_seen) > 4096:
            _seen.popitem(last=False)
    return result


def _by_zipfile(members, level, chunk, allow_zip64) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=allow_zip64) as zf:
        for template, data in members:
            info = zipfile.ZipInfo(template.filename, template.date_time)
            info.create_system, info.external_attr = template.create_system, template.external_attr
            info.compress_type, info.file_size, info._compresslevel = zipfile.ZIP_DEFLATED, len(data), level
            with zf.open(info, "w") as dest:
                for at in range(0, len(data), chunk or max(len(data), 1)):
                    dest.write(data[at:at + (chunk or len(data))])
    return buf.getvalue()
