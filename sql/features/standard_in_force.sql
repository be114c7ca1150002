-- depends: params_in_force
-- The dibao standard in force on D for each hukou type, with the text a reason quotes ("770 元（2025-07-29 起）").
-- Grain: one row per hukou_type (urban, rural).
WITH standard_names AS (
    SELECT * FROM (VALUES
        ('urban', 'dibao.standard_urban', '城市低保标准'),
        ('rural', 'dibao.standard_rural', '农村低保标准')
    ) AS t(hukou_type, param_name, label_zh)
)
SELECT
    s.hukou_type,
    s.param_name,
    s.label_zh,
    p.value::DECIMAL(18, 2)                                                   AS standard,
    p.effective_from                                                          AS standard_from,
    fmt_num(p.value) || ' 元（' || strftime(p.effective_from, '%Y-%m-%d') || ' 起）' AS standard_text
FROM standard_names s
JOIN params_in_force p ON p.name = s.param_name
