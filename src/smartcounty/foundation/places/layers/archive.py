"""Unpack an uploaded zip (a zipped Shapefile, a KMZ) within limits, so that a zip bomb is refused.

As for XLSX workbooks (``catalog/services/xlsx.py``): the central directory is checked first (member count,
the declared inflated sizes and their total, each large member's compression ratio), then members are
inflated in chunks, counting the bytes actually read against the declared size, the ratio and the total.
Member names are reduced to their base name (no paths: nothing is written outside the target folder).
"""

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CHUNK = 64 * 1024
#: Members this large or larger must not inflate more than ``max_ratio`` times.
RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_inflated: int
    max_ratio: int
    max_members: int
    max_features: int


DEFAULTS = {
    "max_bytes": ("SMARTCOUNTY_LAYER_MAX_BYTES", 300 * 1024 * 1024),
    "max_inflated": ("SMARTCOUNTY_LAYER_MAX_INFLATED_BYTES", 1024 * 1024 * 1024),
    "max_ratio": ("SMARTCOUNTY_LAYER_MAX_RATIO", 100),
    "max_members": ("SMARTCOUNTY_LAYER_MAX_MEMBERS", 100),
    "max_features": ("SMARTCOUNTY_LAYER_MAX_FEATURES", 2_000_000),
}


def limits() -> Limits:
    return Limits(**{key: int(getattr(settings, name, default)) for key, (name, default) in DEFAULTS.items()})


class ArchiveRefused(ValueError):
    """The zip is unreadable or past a limit (a zip bomb)."""


def _check_ratio(info, inflated: int, lim: Limits):
    if inflated >= RATIO_FLOOR and inflated > lim.max_ratio * max(info.compress_size, 1):
        raise ArchiveRefused(f"压缩包成员{info.filename}的压缩比超过{lim.max_ratio}倍，疑似压缩炸弹，已拒绝")


def extract(path: Path, target: Path, lim: Limits | None = None) -> dict[str, Path]:
    """Inflate the zip at ``path`` into ``target``; returns {lower-case base name: path}."""
    lim = lim or limits()
    try:
        archive = zipfile.ZipFile(path)
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ArchiveRefused("文件不是可读的zip压缩包") from None
    if len(infos) > lim.max_members:
        raise ArchiveRefused(f"压缩包有{len(infos)}个成员，超过上限{lim.max_members}")
    declared = sum(i.file_size for i in infos)
    if declared > lim.max_inflated:
        raise ArchiveRefused(f"压缩包声明解压后{declared}字节，超过上限{lim.max_inflated}字节")
    for info in infos:
        _check_ratio(info, info.file_size, lim)
        if info.flag_bits & 0x1:
            raise ArchiveRefused("压缩包已加密，无法读取")
    out: dict[str, Path] = {}
    total = 0
    with archive:
        for info in infos:
            base = posixpath.basename(info.filename.replace("\\", "/"))
            if not base or base.startswith(".") or "__MACOSX" in info.filename:
                continue
            dest = target / f"{len(out):03d}_{base}"
            read = 0
            try:
                with archive.open(info) as member, open(dest, "wb") as fh:
                    while chunk := member.read(CHUNK):
                        read += len(chunk)
                        total += len(chunk)
                        if read > info.file_size:
                            raise ArchiveRefused(f"压缩包成员{base}解压后超过其声明的大小，已拒绝")
                        if total > lim.max_inflated:
                            raise ArchiveRefused(f"压缩包解压后超过上限{lim.max_inflated}字节，已拒绝")
                        _check_ratio(info, read, lim)
                        fh.write(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
                raise ArchiveRefused(f"压缩包成员{base}无法读取（{exc}）") from None
            out.setdefault(base.lower(), dest)
    return out
