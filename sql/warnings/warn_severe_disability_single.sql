-- SEVERE_DISABILITY_SINGLE (重病重残可单人保): a household enrolled as edge (n >= 1, not on the roster) with a present
-- member of disability grade in disability.severe_grades, or grade disability.severe_typed_grade with a type in
-- disability.severe_grade3_types: that member may be covered alone.
-- Grain: one row per household and person. Condition key: SEVERE_DISABILITY_SINGLE:<person_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
used AS (
    SELECT list(evidence ORDER BY name) AS parameters
    FROM param_evidence
    WHERE name IN ('disability.severe_grades', 'disability.severe_typed_grade', 'disability.severe_grade3_types')
)
SELECT
    m.household_id,
    'SEVERE_DISABILITY_SINGLE' AS warning_code,
    'SEVERE_DISABILITY_SINGLE:' || m.person_id AS condition_key,
    '低保边缘家庭成员 ' || m.name || ' 持 ' || m.disability_grade || ' 级' || disability_type_zh(m.disability_type)
        || '残疾人证，属重度残疾，可按重病重残单人纳入低保。' AS reasons,
    to_json({
        'disability_grade': m.disability_grade,
        'disability_type': m.disability_type,
        'parameters': u.parameters,
        'person_id': m.person_id
    }) AS evidence
FROM member_presence m
JOIN household_features f ON f.household_id = m.household_id
CROSS JOIN ctx
CROSS JOIN used u
WHERE f.is_enrolled_edge AND f.n >= 1 AND NOT f.is_on_roster AND m.is_present
  AND is_severe_disability(m.disability_grade, m.disability_type, ctx.severe_grades, ctx.severe_typed_grade,
                           ctx.severe_grade3_types)
