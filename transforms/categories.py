"""The national indicator framework: level-1 / level-2 categories and their name variants.

Codes differ between systems (12, 1.2, none at all), so categories are recognised by
name; the source's own codes are kept as data beside the canonical ones.
"""

from __future__ import annotations

import polars as pl

# category_code → (level1_code, level1_name, level2_name), as in the sample's system
CATEGORIES: dict[str, tuple[str, str, str]] = {
    "11": ("1", "产出指标", "数量指标"),
    "12": ("1", "产出指标", "质量指标"),
    "13": ("1", "产出指标", "时效指标"),
    "14": ("1", "产出指标", "成本指标"),
    "21": ("2", "效益指标", "经济效益指标"),
    "22": ("2", "效益指标", "社会效益指标"),
    "23": ("2", "效益指标", "生态效益指标"),
    "24": ("2", "效益指标", "可持续影响指标"),
    "31": ("3", "满意度指标", "服务对象满意度指标"),
}

LEVEL1_BY_NAME: dict[str, str] = {
    "产出": "1",
    "效益": "2",
    "效果": "2",
    "效益/效果": "2",
    "效益(效果)": "2",
    "效果/效益": "2",
    "满意度": "3",
    "预期产出": "1",
    "预期效果": "2",
    "预期效益": "2",
    "服务对象满意度": "3",
    "社会公众或服务对象满意度": "3",
}

# name stem (see `name_stem`) → category_code; variants seen in real tables included
LEVEL2_BY_STEM: dict[str, str] = {
    "数量": "11",
    "质量": "12",
    "时效": "13",
    "时效性": "13",
    "进度": "13",
    "成本": "14",
    "经济成本": "14",
    "社会成本": "14",
    "生态环境成本": "14",
    "经济效益": "21",
    "社会效益": "22",
    "生态效益": "23",
    "环境效益": "23",
    "生态环境效益": "23",
    "可持续影响": "24",
    "可持续发展": "24",
    "服务对象满意度": "31",
    "社会公众或服务对象满意度": "31",
    "社会公众满意度": "31",
    "服务对象": "31",
    "满意度": "31",
    "预算控制": "14",  # 预算(或投资规模)控制指标 (东莞's 批复表)
    "投资规模控制": "14",
    # a combined level-2 is filed under the first category it names
    "社会、经济、生态效益": "22",
    "经济、社会、生态效益": "21",
}

# numbering in front of a level name: 1, 1.1, 1-, 11-, (一), 一、, ①
_NUMBERING = r"^(?:[\d.、\-]+|[(]?[一二三四五六七八九十]+[)、.]|[①-⑳])"


# a weight after a level name (产出指标(50分), 满意度指标 10分) or a remark in
# parentheses anywhere (数量指标(或建筑规模指标), 预算(或投资规模)控制指标)
_WEIGHT = r"\d+(?:\.\d+)?分$"
_REMARK = r"[(][^()]*[)]"


def name_stem(name: pl.Expr) -> pl.Expr:
    """Level name without spaces, numbering, a weight and the trailing 指标
    (1.1 数量指标 → 数量, 产出指标(50分) → 产出)."""
    return (
        name.str.normalize("NFKC")
        .str.replace_all(r"\s+", "")
        .str.replace(_NUMBERING, "")
        .str.replace_all(_REMARK, "")
        .str.replace(_WEIGHT, "")
        .str.replace(r"(?:指标|值)$", "")
    )


def level1_code_of(name: pl.Expr) -> pl.Expr:
    """Canonical level-1 code ('1'..'3') from a level-1 name, null when unknown."""
    return name_stem(name).replace_strict(LEVEL1_BY_NAME, default=None, return_dtype=pl.String)


def category_code_of(name: pl.Expr) -> pl.Expr:
    """Canonical category code ('11'..'31') from a level-2 name, null when unknown."""
    return name_stem(name).replace_strict(LEVEL2_BY_STEM, default=None, return_dtype=pl.String)


def category_frame() -> pl.DataFrame:
    """dim_indicator_category as a frame."""
    codes = list(CATEGORIES)
    return pl.DataFrame(
        {
            "category_code": codes,
            "level1_code": [CATEGORIES[c][0] for c in codes],
            "level1_name": [CATEGORIES[c][1] for c in codes],
            "level2_name": [CATEGORIES[c][2] for c in codes],
        }
    )
