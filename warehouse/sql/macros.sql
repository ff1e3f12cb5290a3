-- 共用宏: expressions several views share, defined once (DuckDB macros, stored in the catalog).

-- 同比增减率: (new − old) / old × 100 in percent; NULL when old is NULL or 0, never a fake figure
create or replace macro yoy_pct(new_amount, old_amount) as
    case
        when old_amount is null or old_amount = 0 then null
        else cast(new_amount - old_amount as double) / cast(old_amount as double) * 100
    end;

-- 占比: part / whole × 100 in percent; NULL when the whole is 0
create or replace macro share_pct(part, whole) as
    case when whole <> 0 then cast(part as double) / cast(whole as double) * 100 end;

-- 指标匹配名: an indicator name with full-width ASCII folded and whitespace removed, so
-- ＫＰＩ 达标率 and KPI达标率 are the same indicator
create or replace macro indicator_key(indicator_name) as
    regexp_replace(
        translate(
            indicator_name,
            '！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
            '!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~'
        ),
        '\s+', '', 'g'
    );

-- 金额文本: an amount in 万元 as exact text without zeros beyond two places (5373.550000 → 5373.55)
create or replace macro amount_text(amount) as
    regexp_replace(cast(cast(amount as decimal(18, 6)) as varchar), '(\.\d\d\d*?)0+$', '\1');

comment on macro yoy_pct is '同比增减率 — yoy_pct(new, old): (new − old) / old × 100, percent (DOUBLE, unrounded); NULL when old is NULL or 0';
comment on macro share_pct is '占比 — share_pct(part, whole): part / whole × 100, percent (DOUBLE, unrounded); NULL when whole is 0';
comment on macro indicator_key is '指标匹配名 — indicator_key(name): the name with full-width ASCII folded and whitespace removed';
comment on macro amount_text is '金额文本 — amount_text(amount): 万元 as exact text, zeros beyond two places dropped';
