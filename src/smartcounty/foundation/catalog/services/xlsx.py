"""Read the first sheet of an XLSX workbook as rows, within limits, in bounded memory.

openpyxl (even ``read_only``) loads the shared strings whole, builds each ``<row>`` element whole
and pads rows to the sheet's declared dimension, so a small crafted workbook can take gigabytes
and minutes. Here the zip's central directory is checked first (declared inflated sizes, their
total and each large member's compression ratio), then the needed members are inflated in
chunks, counting the bytes actually read, and fed to expat, whose callbacks enforce the row,
column and cell-length limits as the data arrives. Shared strings are kept as UTF-8 in one
buffer. DTDs (entity expansion) are refused. openpyxl supplies the date formats and calendars.

``read_rows(content, limits)`` yields ``(row_number, [values])`` for the first worksheet.
"""

import io
import posixpath
import zipfile
from array import array
from datetime import datetime
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from smartcounty.foundation.catalog.services.limits import Limits, UploadLimitError

CHUNK = 64 * 1024
#: Members this large or larger must not inflate more than ``max_ratio`` times.
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 10_000
#: The most bytes expat may hold for one unfinished token (a tag with its attributes).
MAX_TOKEN = 1024 * 1024
_REL_SHEET = "/worksheet"
_REL_STRINGS = "/sharedStrings"
_REL_STYLES = "/styles"
_REL_DOCUMENT = "/officeDocument"


class WorkbookError(ValueError):
    """The file is not a workbook this reader can read; ``row``/``column`` where known."""

    def __init__(self, detail: str, *, row: int | None = None, column: str | None = None):
        super().__init__(detail)
        self.detail, self.row, self.column = detail, row, column


def _column_name(n: int) -> str:
    name = ""
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
        if n > 1_000_000:
            break
    return n


class _Budget:
    """Inflated bytes read so far, against ``max_inflated``."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.used = 0

    def take(self, n: int):
        self.used += n
        if self.used > self.limits.max_inflated:
            raise UploadLimitError(f"the workbook inflates to more than {self.limits.max_inflated} bytes",
                                   limit="max_inflated", value=self.used)


class _Book:
    def __init__(self, content: bytes, limits: Limits):
        self.limits = limits
        self.budget = _Budget(limits)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(content))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise WorkbookError("the file is not a readable XLSX workbook") from None
        if len(infos) > MAX_MEMBERS:
            raise UploadLimitError(f"the workbook has more than {MAX_MEMBERS} parts", limit="members",
                                   value=len(infos))
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_inflated:
            raise UploadLimitError(f"the workbook declares {declared} bytes inflated, more than "
                                   f"{limits.max_inflated}", limit="max_inflated", value=declared)
        for info in infos:
            self._check_ratio(info, info.file_size)
            if info.flag_bits & 0x1:
                raise WorkbookError("encrypted workbooks cannot be read")
        self.infos = {i.filename: i for i in infos}

    def _check_ratio(self, info, inflated: int):
        if inflated >= RATIO_FLOOR and inflated > self.limits.max_ratio * max(info.compress_size, 1):
            raise UploadLimitError(f"the workbook part {info.filename} inflates more than {self.limits.max_ratio} "
                                   "times", limit="max_ratio", value=inflated // max(info.compress_size, 1))

    def chunks(self, name: str):
        """The member's inflated bytes in chunks, counted against the budget and its declared size."""
        info = self.infos.get(name)
        if info is None:
            raise WorkbookError(f"the workbook has no part {name}")
        read = 0
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    read += len(chunk)
                    if read > info.file_size:
                        raise UploadLimitError(f"the workbook part {name} inflates past its declared size",
                                               limit="declared_size", value=read)
                    self._check_ratio(info, read)
                    self.budget.take(len(chunk))
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            raise WorkbookError(f"the workbook part {name} cannot be read ({exc})") from None

    def parse(self, name: str, handler) -> None:
        for _ in self.parse_stream(name, handler):
            pass

    def parse_stream(self, name: str, handler):
        """Feed the member to expat, calling ``handler.start(tag, attrs)``, ``handler.end(tag)`` and
        ``handler.text(data)`` with local names; yields after each chunk (so callers can drain)."""
        parser = expat.ParserCreate(namespace_separator=" ")
        seen = [0]

        def start(tag, attrs):
            seen[0] = parser.CurrentByteIndex
            handler.start(tag.rpartition(" ")[2], {k.rpartition(" ")[2]: v for k, v in attrs.items()})

        def end(tag):
            seen[0] = parser.CurrentByteIndex
            handler.end(tag.rpartition(" ")[2])

        def text(data):
            seen[0] = parser.CurrentByteIndex
            handler.text(data)

        def refuse(*_args):
            raise WorkbookError(f"the workbook part {name} has a document type declaration")

        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.buffer_text = False
        fed = 0
        try:
            for chunk in self.chunks(name):
                parser.Parse(chunk, False)
                fed += len(chunk)
                if fed - seen[0] > MAX_TOKEN + CHUNK:
                    raise UploadLimitError(f"the workbook part {name} has an XML token longer than {MAX_TOKEN} "
                                           "bytes", limit="token", value=fed - seen[0])
                yield
            parser.Parse(b"", True)
            yield
        except expat.ExpatError as exc:
            raise WorkbookError(f"the workbook part {name} is not well-formed XML ({exc})") from None


class _Rels:
    def __init__(self):
        self.rels = {}

    def start(self, tag, attrs):
        if tag == "Relationship":
            self.rels[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

    def end(self, tag):
        pass

    def text(self, data):
        pass


def _rels(book: _Book, part: str) -> dict:
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    handler = _Rels()
    if name in book.infos:
        book.parse(name, handler)
    out = {}
    for rid, (kind, target) in handler.rels.items():
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rid] = (kind, path)
    return out


class _Workbook:
    def __init__(self):
        self.sheet_rid = None
        self.date1904 = False

    def start(self, tag, attrs):
        if tag == "sheet" and self.sheet_rid is None:
            self.sheet_rid = attrs.get("id")
        elif tag == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

    def end(self, tag):
        pass

    def text(self, data):
        pass


class _Styles:
    def __init__(self):
        self.formats = {}
        self.xf_formats = []
        self.in_cell_xfs = False

    def start(self, tag, attrs):
        if tag == "numFmt":
            try:
                self.formats[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif tag == "cellXfs":
            self.in_cell_xfs = True
        elif tag == "xf" and self.in_cell_xfs:
            try:
                self.xf_formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.xf_formats.append(0)

    def end(self, tag):
        if tag == "cellXfs":
            self.in_cell_xfs = False

    def text(self, data):
        pass

    def date_styles(self) -> set[int]:
        dates = set()
        for index, fmt_id in enumerate(self.xf_formats):
            code = self.formats.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
            if code and is_date_format(code):
                dates.add(index)
        return dates


class _Strings:
    """Shared strings as UTF-8 in one buffer with offsets (no object per string)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.buffer = bytearray()
        self.offsets = array("Q", [0])
        self.parts: list[str] = []
        self.length = 0
        self.in_si = self.in_t = False
        self.phonetic = 0

    def start(self, tag, attrs):
        if tag == "si":
            self.in_si, self.parts, self.length = True, [], 0
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.in_si and not self.phonetic:
            self.in_t = True

    def end(self, tag):
        if tag == "t":
            self.in_t = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "si" and self.in_si:
            self.buffer += "".join(self.parts).encode("utf-8")
            self.offsets.append(len(self.buffer))
            self.in_si, self.parts = False, []

    def text(self, data):
        if self.in_t:
            self.length += len(data)
            if self.length > self.limits.max_cell_chars:
                raise UploadLimitError(f"a text of the workbook (shared string {len(self.offsets)}) is longer than "
                                       f"{self.limits.max_cell_chars} characters", limit="max_cell_chars",
                                       value=self.length)
            self.parts.append(data)

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return bytes(self.buffer[self.offsets[index]:self.offsets[index + 1]]).decode("utf-8")


class _Sheet:
    """Rows of a worksheet, collected in ``rows`` as expat reports them."""

    def __init__(self, limits: Limits, strings: _Strings, date_styles: set[int], epoch):
        self.limits, self.strings, self.date_styles, self.epoch = limits, strings, date_styles, epoch
        self.rows: list[tuple[int, list]] = []
        self.row_count = 0
        self.row_number = 0
        self.cells: dict[int, object] | None = None
        self.col = 0
        self.cell = None  # (type, style) of the open cell
        self.parts: list[str] = []
        self.length = 0
        self.collect = False
        self.phonetic = 0

    def _where(self):
        return {"row": self.row_number, "column": _column_name(self.col)}

    def start(self, tag, attrs):
        if tag == "row":
            self.row_count += 1
            if self.row_count > self.limits.max_rows + 1:
                raise UploadLimitError(f"the sheet has more than {self.limits.max_rows} rows", limit="max_rows",
                                       value=self.row_count, row=self.row_number + 1)
            try:
                number = int(attrs["r"]) if "r" in attrs else self.row_number + 1
            except ValueError:
                raise WorkbookError("a row has an invalid number", row=self.row_number + 1) from None
            if number <= self.row_number:
                raise WorkbookError("rows are out of order", row=number)
            self.row_number, self.cells, self.col = number, {}, 0
        elif tag == "c" and self.cells is not None:
            ref = attrs.get("r")
            col = _column_index(ref) if ref else self.col + 1
            if col <= self.col:
                raise WorkbookError("cells are out of order", row=self.row_number, column=_column_name(col or 1))
            self.col = col
            if col > self.limits.max_columns:
                raise UploadLimitError(f"the sheet has more than {self.limits.max_columns} columns",
                                       limit="max_columns", value=col, **self._where())
            try:
                style = int(attrs.get("s", "0"))
            except ValueError:
                style = 0
            self.cell, self.parts, self.length = (attrs.get("t", "n"), style), [], 0
        elif tag == "rPh":
            self.phonetic += 1
        elif self.cell is not None and tag in ("v", "t") and not self.phonetic:
            self.collect = True

    def text(self, data):
        if self.collect:
            self.length += len(data)
            if self.length > self.limits.max_cell_chars:
                raise UploadLimitError(f"a cell is longer than {self.limits.max_cell_chars} characters",
                                       limit="max_cell_chars", value=self.length, **self._where())
            self.parts.append(data)

    def end(self, tag):
        if tag in ("v", "t"):
            self.collect = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c" and self.cell is not None:
            value = self._value("".join(self.parts))
            if value is not None:
                self.cells[self.col] = value
            self.cell, self.parts = None, []
        elif tag == "row" and self.cells is not None:
            width = max(self.cells) if self.cells else 0
            self.rows.append((self.row_number, [self.cells.get(c) for c in range(1, width + 1)]))
            self.cells = None

    def _value(self, raw: str):
        kind, style = self.cell
        if kind == "inlineStr" or kind == "str":
            return raw
        if raw == "":
            return None
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                raise WorkbookError("a cell refers to a missing shared string", **self._where()) from None
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return raw
        if kind == "d":
            try:
                return datetime.fromisoformat(raw.strip())
            except ValueError:
                raise WorkbookError(f"{raw[:40]!r} is not a date", **self._where()) from None
        try:
            number = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        except ValueError:
            raise WorkbookError(f"{raw[:40]!r} is not a number", **self._where()) from None
        if style in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError, TypeError):
                raise WorkbookError(f"{raw[:40]!r} is not a date", **self._where()) from None
        return number


def read_rows(content: bytes, limits: Limits):
    """Yield ``(row_number, values)`` of the workbook's first worksheet (values: str, int, float,
    bool, datetime or None; a row's list ends at its last cell with a value)."""
    book = _Book(content, limits)
    root = _rels(book, "")
    document = next((path for kind, path in root.values() if kind.endswith(_REL_DOCUMENT)), "xl/workbook.xml")
    workbook = _Workbook()
    book.parse(document, workbook)
    rels = _rels(book, document)
    sheet_path = rels.get(workbook.sheet_rid, ("", ""))[1] if workbook.sheet_rid else ""
    if not sheet_path:
        sheet_path = next((path for kind, path in rels.values() if kind.endswith(_REL_SHEET)), "")
    if not sheet_path:
        raise WorkbookError("the workbook has no worksheet")
    strings = _Strings(limits)
    styles = _Styles()
    for kind, path in rels.values():
        if kind.endswith(_REL_STRINGS):
            book.parse(path, strings)
        elif kind.endswith(_REL_STYLES):
            book.parse(path, styles)
    sheet = _Sheet(limits, strings, styles.date_styles(),
                   CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900)
    for _ in book.parse_stream(sheet_path, sheet):
        rows, sheet.rows = sheet.rows, []
        yield from rows
