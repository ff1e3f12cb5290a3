"""Office files (xlsx, docx) made byte-for-byte reproducible.

openpyxl and python-docx stamp the save time into the zip entries and into
docProps/core.xml; the same logical file must give the same bytes, so both are pinned.
"""

from __future__ import annotations

import io
import re
import zipfile

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "2020-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def pin_zip(data: bytes) -> bytes:
    """Rewrite an xlsx/docx with fixed entry times and fixed created/modified properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + _FIXED_W3CDTF.encode() + rb"\g<3>", content)
            pinned = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, content)
    return out.getvalue()
