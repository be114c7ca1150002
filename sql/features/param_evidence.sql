-- depends: params_in_force
-- Every parameter value in force on D as the evidence object a warning cites.
-- Grain: one row per parameter name. Keys in sorted order: effective_from, name, reference, status, value.
SELECT
    name,
    json_object(
        'effective_from', strftime(effective_from, '%Y-%m-%d'),
        'name', name,
        'reference', reference,
        'status', status,
        'value', value_json::JSON
    ) AS evidence,
    -- the start of the value as a reason quotes it after the value: "20000 元（2021-09-01 起）"
    '（' || strftime(effective_from, '%Y-%m-%d') || ' 起）' AS since_text
FROM params_in_force
