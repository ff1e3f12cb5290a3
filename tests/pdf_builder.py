"""Write small PDFs by hand for tests: ruled boxes and Helvetica text at given places.

Enough PDF to test how tables are found and joined without an office suite: each
page is a list of boxes (x0, top, x1, bottom, in points from the top-left corner, as
pdfplumber reports them) stroked as rectangles, line segments (x0, top, x1, bottom)
stroked, and texts (x, baseline, string; ASCII) drawn in 10-point Helvetica, one `Tj`
per text, so no space is drawn unless the string holds one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 595, 842


@dataclass
class Page:
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    texts: list[tuple[float, float, str]] = field(default_factory=list)
    segments: list[tuple[float, float, float, float]] = field(default_factory=list)

    def grid(self, xs: list[float], ys: list[float]) -> None:
        """Ruled cells for every pair of neighbouring x and y boundaries."""
        for top, bottom in zip(ys, ys[1:], strict=False):
            for x0, x1 in zip(xs, xs[1:], strict=False):
                self.boxes.append((x0, top, x1, bottom))

    def cell_text(self, x0: float, top: float, text: str) -> None:
        """`text` in the cell whose top-left corner is (x0, top), 3 points in."""
        self.texts.append((x0 + 3, top + 11, text))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(page: Page) -> bytes:
    ops = ["0.5 w"]
    for x0, top, x1, bottom in page.boxes:
        ops.append(f"{x0} {HEIGHT - bottom} {x1 - x0} {bottom - top} re S")
    for x0, top, x1, bottom in page.segments:
        ops.append(f"{x0} {HEIGHT - top} m {x1} {HEIGHT - bottom} l S")
    for x, baseline, text in page.texts:
        ops.append(f"BT /F1 10 Tf {x} {HEIGHT - baseline} Td ({_escaped(text)}) Tj ET")
    return "\n".join(ops).encode("latin-1")


def pdf_bytes(pages: list[Page]) -> bytes:
    """A complete PDF (header, objects, xref, trailer) with these pages."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, page in enumerate(pages):
        stream = _content(page)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
