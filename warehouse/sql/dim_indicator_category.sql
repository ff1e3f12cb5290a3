-- 绩效指标分类维度: the national framework's level-1 / level-2 indicator categories.
create view dim_indicator_category as
with categories (category_code, level1_code, level1_name, level2_name) as (
    values
        ('11', '1', '产出指标', '数量指标'),
        ('12', '1', '产出指标', '质量指标'),
        ('13', '1', '产出指标', '时效指标'),
        ('14', '1', '产出指标', '成本指标'),
        ('21', '2', '效益指标', '经济效益指标'),
        ('22', '2', '效益指标', '社会效益指标'),
        ('23', '2', '效益指标', '生态效益指标'),
        ('24', '2', '效益指标', '可持续影响指标'),
        ('31', '3', '满意度指标', '服务对象满意度指标')
),

final as (
    select
        cast(category_code as varchar) as category_code,
        cast(level1_code as varchar) as level1_code,
        cast(level1_name as varchar) as level1_name,
        cast(level2_name as varchar) as level2_name
    from categories
)

select * from final;

comment on view dim_indicator_category is '绩效指标分类 — performance indicator categories of the national framework (一级指标 / 二级指标), 9 rows';
