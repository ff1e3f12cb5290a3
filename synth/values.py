"""Indicator target texts (指标值): parsed from an example, varied like real ones are.

An example such as `≥95%`, `12个`, `11733.38平方米`, `不低于99%为优` or `达标` fixes the
*shape* of a target; each department gets its own number, the number drifts a little from
year to year, and now and then the year's 年度指标值 is raised, lowered or reworded
relative to the 实施周期指标值 — exactly the differences a warehouse must keep apart.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal

_SHAPE = re.compile(r"^(?P<pre>≥|≤|不低于|不高于)?(?P<num>\d+(?:\.\d+)?)(?P<suf>.*)$")
COUNT_UNITS = frozenset(
    ["", "个", "台", "次", "人", "场", "份", "卷", "件", "项", "人次", "期", "种", "条", "套",
     "间", "元"]
)  # fmt: skip
TIME_UNITS = frozenset(["秒", "小时", "个工作日", "天"])
# qualitative word → how else the same target is worded, or raised a notch
REWORDINGS: dict[str, tuple[str, ...]] = {
    "达标": ("达到标准", "达标（按规定时限完成。）"),
    "维持": ("保持稳定", "维持较高水平"),
    "增强": ("有所增强", "持续增强"),
    "优": ("良好", "优秀"),
    "通过": ("验收通过", "通过（第三方测评。）"),
    "进一步畅通": ("畅通", "持续畅通"),
    "提升": ("持续提升", "有所提升"),
    "持续提升": ("提升", "稳步提升"),
    "进一步提高": ("有所提高", "持续提高"),
    "有效": ("成效明显", "有效（形成可推广经验。）"),
}
_PREFIX_REWORDING = {"≥": "不低于", "不低于": "≥", "≤": "不高于", "不高于": "≤"}


@dataclass(frozen=True, slots=True)
class Target:
    """A target's shape: prefix, number (None for words) and the text after the number."""

    pre: str
    number: Decimal | None
    suffix: str
    places: int = 0

    @property
    def text(self) -> str:
        if self.number is None:
            return self.suffix
        number = f"{self.number:.{self.places}f}"
        return f"{self.pre}{number}{self.suffix}"

    @property
    def kind(self) -> str:
        """What may be varied: pct, count, area, score, time, fixed (0, 100%, dates), word."""
        if self.number is None:
            return "word" if self.suffix in REWORDINGS else "fixed"
        unit = self.suffix
        if unit.startswith("%"):
            fixed = self.number == 0 or (self.number == 100 and not self.pre)
            return "fixed" if fixed else "pct"
        if self.places:
            return "area"
        if unit == "分":
            return "score"
        if unit in TIME_UNITS:
            return "time"
        if unit in COUNT_UNITS and self.number > 0:
            return "count"
        return "fixed"


def parse_target(example: str) -> Target:
    """The shape of an example value text."""
    match = _SHAPE.match(example)
    if not match:
        return Target("", None, example)
    num = match.group("num")
    places = len(num.split(".")[1]) if "." in num else 0
    return Target(match.group("pre") or "", Decimal(num), match.group("suf"), places)


def _with(target: Target, number: Decimal) -> Target:
    return Target(target.pre, number, target.suffix, target.places)


def localize(target: Target, rng: random.Random) -> Target:
    """This department's own number for a target (its floor area, its head count …)."""
    kind = target.kind
    number = target.number
    if kind == "pct" and number is not None:
        return _with(target, max(Decimal(50), number - rng.choice((0, 0, 0, 1, 2, 5))))
    if kind == "count" and number is not None:
        return _with(target, Decimal(max(1, round(float(number) * rng.uniform(0.5, 2.0)))))
    if kind == "area":
        return _with(target, Decimal(rng.randint(50_000, 2_000_000)) / 100)
    if kind == "score":
        return _with(target, Decimal(rng.choice((60, 70, 80, 85, 90))))
    if kind == "time" and number is not None:
        return _with(target, Decimal(max(1, int(number) + rng.choice((-1, 0, 0, 1, 2)))))
    return target


def drift(target: Target, rng: random.Random) -> Target:
    """Next year's target for the same indicator: usually unchanged, sometimes moved."""
    if rng.random() > 0.15:
        return target
    return shift(target, rng.choice((-1, 1)), rng)


def shift(target: Target, direction: int, rng: random.Random) -> Target:
    """The target raised (+1) or lowered (-1) a notch; words and fixed values stay."""
    kind = target.kind
    number = target.number
    if number is None or kind in ("fixed", "word"):
        return target
    if kind == "pct":
        return _with(target, min(Decimal(100), max(Decimal(50), number + direction)))
    if kind == "count":
        step = max(1, int(number) // 10)
        return _with(target, max(Decimal(1), number + direction * step))
    if kind == "area":
        return _with(target, number + direction * Decimal(rng.randint(100, 50_000)) / 100)
    if kind == "score":
        return _with(target, min(Decimal(100), max(Decimal(50), number + direction * 5)))
    return _with(target, max(Decimal(1), number + direction))


def annual_text(period: Target, rng: random.Random) -> str:
    """年度指标值: the period value, or (about one time in eight) raised, lowered, reworded."""
    if rng.random() > 0.12:
        return period.text
    choice = rng.random()
    if period.number is None:
        alternatives = REWORDINGS.get(period.suffix)
        return rng.choice(alternatives) if alternatives else period.text
    if choice < 0.35 and period.pre in _PREFIX_REWORDING:
        return _PREFIX_REWORDING[period.pre] + period.text[len(period.pre):]
    return shift(period, 1 if choice < 0.7 else -1, rng).text
