"""The words of a project card: its labels and the indicator block's column names, as
they are really written (财政部's templates and the provinces' variants, see
`tests/fixtures/forms/README.md` for the real cards each variant came from)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from transforms.locate import header_key

# label → role; compared after `label_key`
CARD_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "项目名称及代码", "项目支出名称"),
    "department": (
        "主管部门", "预算部门", "部门名称", "主管部门及代码", "主管部门及编码", "主管单位",
        "主管部门名称", "一级预算单位", "预算部门名称", "项目主管部门",
    ),
    "unit": (
        "实施单位", "项目单位", "项目实施单位", "预算单位", "执行单位", "实施单位名称",
        "资金使用单位", "项目执行单位",
    ),
    "total": (
        "年度资金总额", "年度资金", "资金总额", "年度预算资金", "年度金额", "年度预算数",
        "项目资金总额", "年度资金合计", "本年度资金总额", "当年资金总额",
    ),
    "fiscal": (
        "财政拨款", "一般公共预算", "一般公共预算拨款", "财政资金", "财政拨款资金",
        "当年财政拨款", "财政性资金", "财政拨款数", "本年度申请市财政预算资金",
        "本年度申请财政预算资金",
    ),
    # parts of the 财政拨款 written apart (本级 + 上级): their sum is the fiscal amount
    "fiscal_part": (
        "年度本级预算金额", "本级预算金额", "本级财政资金", "上级资金", "该项目支出上级资金",
        "上级补助资金", "上级专项资金",
    ),
    "special": ("财政专户管理资金", "财政专户拨款", "财政专户资金", "财政专户"),
    "other": ("其他资金", "其他", "其他来源资金", "单位自有资金", "当年其他资金"),
    "period_total": (
        "中期资金总额", "实施期资金总额", "项目总预算", "实施期资金", "中期市财政预算",
        "中期财政预算",
    ),
    "goal": (
        "年度目标", "年度绩效目标", "年度总体目标", "年度目标值", "本年度绩效目标",
        "项目总体情况",
    ),
    "period_goal": (
        "中期目标", "实施期目标", "实施期总目标", "中期绩效目标", "总目标", "实施期绩效目标",
        "中期滚动目标",
    ),
}  # fmt: skip
# labels that only group the cells beside or below them
GROUP_LABELS = (
    "资金情况", "项目资金", "资金来源", "总体目标", "绩效指标", "绩效目标", "项目资金情况",
    "年度绩效指标", "本年度绩效指标", "资金构成", "预算资金", "项目资金申请", "绩效项目指标表",
    "投入目标", "年初安排金额",
)  # fmt: skip
# labels whose value is kept in the card's details
DETAIL_LABELS = (
    "项目负责人及电话", "项目负责人", "联系电话", "联系人", "项目属性", "项目期", "项目类型",
    "项目编码", "项目代码", "项目类别", "项目周期", "实施期限", "立项依据", "项目概况",
    "绩效目标类型", "项目起止时间", "项目负责人及联系电话", "填报单位", "填报日期",
    "项目支出实施期", "年度总体目标完成情况", "项目实施期", "归口科室",
)  # fmt: skip
# the indicator block's header: role → texts
BLOCK_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级指标名称", "一级"),
    "level2": ("二级指标", "二级指标名称", "二级"),
    "level3": ("三级指标", "三级指标名称", "指标名称", "绩效指标名称", "指标内容", "三级"),
    "value": (
        "指标值", "目标值", "绩效指标值", "绩效目标值", "指标目标值", "指标值及单位",
        "计划指标值",
    ),
    "period": ("中期指标值", "实施周期指标值", "实施期指标值", "中期目标值", "实施期目标值"),
    "annual": ("年度指标值", "年度目标值", "本年度指标值", "年度绩效指标值", "年度数值"),
    "op": ("指标性质", "运算符", "比较符号"),
    "unit": ("度量单位", "计量单位", "指标值单位"),
    "weight": ("权重", "分值", "指标分值", "权重分值"),
    "standard": ("绩效标准", "评分标准", "评(扣)分标准", "评价标准", "指标解释"),
    "direction": ("指标方向", "指标方向性"),
    "remark": ("备注",),
}  # fmt: skip
# a later column with the same role as an earlier one is the 年度 one (中期 | 年度 side by
# side); these words mark the earlier, 中期 one explicitly
PERIOD_MARKS = ("长期", "中期", "实施期")
ANNUAL_MARKS = ("当年", "本年度", "年度")


@lru_cache(maxsize=1 << 14)
def label_key(text: str) -> str:
    """A label compared loosely: header_key, no colon, no leading 其中, no trailing
    parenthesis (`中期目标（2023-2025年）`, `资金情况（万元）`, `二级指标(长期)`)."""
    key = header_key(text).rstrip(":：")
    key = re.sub(r"^其中[:：]?", "", key)
    return re.sub(r"[(（][^()（）]*[)）]$", "", key).rstrip(":：")


def _role_table(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {label_key(text): role for role, texts in table.items() for text in texts}


_LABEL_ROLE = _role_table(CARD_LABELS)
_GROUP_KEYS = {label_key(text) for text in GROUP_LABELS}
_DETAIL_KEYS = {label_key(text) for text in DETAIL_LABELS}
BLOCK_ROLE = _role_table(BLOCK_COLUMNS)


@lru_cache(maxsize=1 << 14)
def label_role(text: str) -> str | None:
    """The card role a label cell names; 'group' / 'detail' for the other known labels
    (an approval row such as `财政部门审核意见` is a detail)."""
    key = label_key(text)
    if not key:
        return None
    if key in _LABEL_ROLE:
        return _LABEL_ROLE[key]
    if key in _GROUP_KEYS:
        return "group"
    if key in _DETAIL_KEYS or (key.endswith("意见") and len(key) <= 16):
        return "detail"
    return None


def is_annual_label(text: str) -> bool:
    """`当年资金总额`, `本年度绩效目标`: a label that says it is the 年度 one."""
    return label_key(text).startswith(ANNUAL_MARKS)


def split_inline(text: str) -> tuple[str, str, str] | None:
    """A label and its value in one cell (`部门名称：岳阳县农业农村局`, `年度资金总额:16`,
    `其中 :上级资金16`) → (role, label, value)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    label, colon, value = folded.partition(":")
    if colon and value.strip():
        role = label_role(label)
        if role not in (None, "group", "name"):
            return role, label.strip(), value.strip()
    # `其中:上级资金16`: a fund label with its amount glued on
    match = re.match(r"^(?:其中\s*:?)?\s*(\D+?)\s*(-?[\d,]+(?:\.\d+)?\s*(?:万元|万|元)?)$", folded)
    if match and label_role(match.group(1)) in FUND_ROLES:
        return label_role(match.group(1)), match.group(1), match.group(2)  # type: ignore[return-value]
    return None


FUND_ROLES = ("total", "fiscal", "fiscal_part", "special", "other", "period_total")
_CODE = re.compile(r"^\s*(?:[\[【(（]\s*\d+\s*[\]】)）]|\d{3,}\s*[-－—])\s*")
_KIND = re.compile(r"\s*[(（](?:部门|单位|本级)[)）]\s*$")
COMPARISON = re.compile(r"^(?:[≥≤=<>＝＜＞≠]+|大于等于|小于等于|大于|小于|等于)$")


def without_code(name: str) -> str:
    """`[015001]武汉市青山区教育局`, `820001-井研县马踏镇人民政府`,
    `(433)乌海市供销合作社联合社(部门)` → the name alone."""
    return _KIND.sub("", _CODE.sub("", name)).strip()
