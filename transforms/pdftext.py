"""Characters drawn on a PDF page → lines and cell text, exactly (used by transforms.pdf).

No character is ever added: the text is the characters the PDF draws, in order. Lines
are found by the characters' vertical middles; two lines of a cell are joined with
nothing when the break is a wrap (the next line's first word would not have fitted on
the line: `Cell.wraps_into`), else with "\n".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

_OPENING = set("([{（【《〈「『〔")
_CLOSING = set(")]}）】》〉」』〕，。、；：？！,.;:?!%％")
# CJK Radicals Supplement → the unified ideograph each stands for (Unicode's
# EquivalentUnifiedIdeograph data, the ones that are whole characters); the Kangxi
# radicals (U+2F00-U+2FDF) have NFKC decompositions already
_RADICALS = {
    "⺁": "厂", "⺇": "几", "⺊": "卜", "⺌": "小", "⺗": "心", "⺜": "日", "⺝": "月", "⺟": "母",
    "⺠": "民", "⺧": "牛", "⺩": "王", "⺫": "目", "⺬": "示", "⺳": "网", "⺶": "羊", "⺷": "羊",
    "⺼": "肉", "⻁": "虎", "⻄": "西", "⻅": "见", "⻆": "角", "⻉": "贝", "⻊": "足", "⻋": "车",
    "⻓": "长", "⻔": "门", "⻗": "雨", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞",
    "⻝": "食", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦",
    "⻩": "黄", "⻬": "齐", "⻮": "齿", "⻰": "龙", "⻳": "龟",
}  # fmt: skip
_QUOTES = set("“”‘’\"'")


@dataclass
class Line:
    """One line of text: its characters' text and where it is drawn."""

    chars: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    def first_word_width(self) -> float:
        """Width of what a renderer would have had to fit on the line above: the first
        word (a run of Latin letters or digits) or one CJK character, with punctuation
        and quotation marks that may not be parted from it (line-breaking rules keep an
        opening mark with what follows and a closing mark with what precedes)."""
        drawn = self.chars
        start = 0
        while start < len(drawn) and drawn[start]["text"].isspace():
            start += 1
        chars = [c["text"] for c in drawn[start:]]
        if not chars:
            return 0.0
        end = 0
        while end < len(chars) and chars[end] in _OPENING | _QUOTES:
            end += 1
        if end < len(chars) and is_wide(chars[end]):
            end += 1
        else:  # a word ends at a space or where wide (CJK) text begins
            while end < len(chars) and not (is_wide(chars[end]) or chars[end].isspace()):
                end += 1
        while end < len(chars) and chars[end] in _CLOSING | _QUOTES | _OPENING:
            end += 2 if chars[end] in _QUOTES | _OPENING else 1
        end = min(max(end, 1), len(chars))
        while end > 1 and chars[end - 1].isspace():  # a mark's partner may be a space
            end -= 1
        return drawn[start + end - 1]["x1"] - drawn[start]["x0"]


def is_wide(text: str) -> bool:
    return bool(text) and unicodedata.east_asian_width(text[0]) in ("W", "F")


@dataclass
class Cell:
    """A ruled cell: its box and its lines of text (top to bottom)."""

    bbox: tuple[float, float, float, float]
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    chars: list[dict[str, Any]] = field(default_factory=list)

    def wraps_into(self, below: Line) -> bool:
        """Whether the cell's last line was full: `below`'s first word would not fit.

        The right padding is taken to equal the left one; renderers also leave a small
        gap between Chinese and Latin text, hence the slack of 0.4 em.
        """
        if not self.lines:
            return False
        last = self.lines[-1]
        pad = max(min(line.x0 for line in self.lines) - self.bbox[0], 0.0)
        room = self.bbox[2] - pad - last.x1
        slack = 0.4 * max(c.get("size", 0.0) for c in last.chars)
        return below.first_word_width() + slack > room


def deduped(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's characters, each drawn once (fake bold draws a character twice, a
    fraction of a point apart), radicals read as the ideographs drawn (`ideographs`)."""
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        if char["text"] and key not in seen:
            seen.add(key)
            text = ideographs(char["text"])
            kept.append(char if text == char["text"] else {**char, "text": text})
    return kept


def ideographs(text: str) -> str:
    """Radical code points read as the ideographs they look like: some PDF producers
    (Chromium, WPS) map the glyph of 目 to ⽬ KANGXI RADICAL EYE, of 门 to ⻔ CJK
    RADICAL C-SIMPLIFIED GATE. The glyph drawn is the ideograph; the text is made so."""
    if not any("\u2e80" <= ch <= "\u2fdf" for ch in text):
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\u2f00" <= ch <= "\u2fdf" else _RADICALS.get(ch, ch)
        for ch in text
    )


def lines_of(chars: list[dict[str, Any]]) -> list[Line]:
    """Characters → lines: a character joins the line whose middle it shares, then each
    line is read left to right."""
    lines: list[tuple[float, float, list[dict[str, Any]]]] = []
    for char in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        if lines and lines[-1][0] <= middle <= lines[-1][1]:
            lines[-1][2].append(char)
        else:
            height = char["bottom"] - char["top"]
            lines.append((middle - height * 0.3, middle + height * 0.3, [char]))
    return [Line(sorted(group, key=lambda c: c["x0"])) for _, _, group in lines]


def cell_text(cell: Cell) -> str:
    """A cell's characters → its text: lines joined by "" at a wrap, "\\n" otherwise."""
    cell.lines = lines_of(cell.chars)
    return joined_lines(cell, cell.lines).strip()


def joined_lines(cell: Cell, lines: list[Line]) -> str:
    parts: list[str] = []
    for index, line in enumerate(lines):
        if index:
            above = Cell(cell.bbox, lines[:index])
            parts.append("" if above.wraps_into(line) else "\n")
        parts.append(line.text)
    return "".join(parts)


def spaced(line: Line) -> str:
    """A line outside any table: one space where words stand far apart (no space drawn)."""
    parts: list[str] = []
    previous = None
    for char in line.chars:
        if previous is not None and not (char["text"].isspace() or previous["text"].isspace()):
            size = max(char["x1"] - char["x0"], previous["x1"] - previous["x0"], 1.0)
            if char["x0"] - previous["x1"] > size:
                parts.append(" ")
        parts.append(char["text"])
        previous = char
    return "".join(parts)
