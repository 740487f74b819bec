"""Limits on uploaded and pulled dataset files, the same for the API, the page and URL pulls.

Each is a setting (an environment variable read in ``settings.py``); a file past any of them is
refused with ``UploadLimitError`` (413, code ``upload-limit``) before it is stored.
"""

from dataclasses import dataclass

from django.conf import settings

from smartcounty.kernel.problems import ApiError

DEFAULTS = {
    # The file as sent (an XLSX workbook compressed).
    "max_bytes": ("SMARTCOUNTY_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
    # What the members of an XLSX workbook may inflate to, declared and read, all together.
    "max_inflated": ("SMARTCOUNTY_UPLOAD_MAX_INFLATED_BYTES", 200 * 1024 * 1024),
    # Inflated / compressed size of any workbook member larger than a mebibyte.
    "max_ratio": ("SMARTCOUNTY_UPLOAD_MAX_RATIO", 100),
    "max_rows": ("SMARTCOUNTY_UPLOAD_MAX_ROWS", 500_000),
    "max_columns": ("SMARTCOUNTY_UPLOAD_MAX_COLUMNS", 500),
    # Excel's own limit for a cell is 32,767 characters.
    "max_cell_chars": ("SMARTCOUNTY_UPLOAD_MAX_CELL_CHARS", 32_767),
}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_inflated: int
    max_ratio: int
    max_rows: int
    max_columns: int
    max_cell_chars: int


def limits() -> Limits:
    """The limits in force (read each time, so tests can change the settings)."""
    return Limits(**{key: int(getattr(settings, name, default)) for key, (name, default) in DEFAULTS.items()})


class FileError(ApiError):
    """Something wrong at a place in a dataset file (``row``, ``column``), told in the problem's ``errors``."""

    status, code, kind = 422, "invalid-dataset", "dataset"

    def __init__(self, detail: str, *, row: int | None = None, column: str | None = None, **extra):
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        text = f"{', '.join(where)}: {detail}" if where else detail
        errors = [{"field": column or "file", "in": "file", "row": row, "column": column, "type": self.kind,
                   **extra, "message": detail}]
        super().__init__(self.status, self.code, text, field=column or "file", errors=errors)
        self.row = row
        self.column = column


class UploadLimitError(FileError):
    """A file past one of the limits; ``limit`` names it (e.g. ``max_inflated``)."""

    status, code, kind = 413, "upload-limit", "upload-limit"

    def __init__(self, detail: str, *, limit: str, value: int, row: int | None = None, column: str | None = None):
        super().__init__(detail, row=row, column=column, limit=limit, value=value)
        self.limit = limit
        self.value = value
