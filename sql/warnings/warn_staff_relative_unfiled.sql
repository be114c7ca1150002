-- depends: household_features, member_presence, rule_context, staff_relatives
-- STAFF_RELATIVE_UNFILED (近亲属未备案): a covered household with a present member who is a relative_person_id in
-- staff_relatives with filed_date empty or after D.
-- Grain: one row per household and person. Condition key: STAFF_RELATIVE_UNFILED:<person_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
unfiled AS (
    SELECT m.household_id, m.person_id, m.name,
           list({'filed_date': strftime(s.filed_date, '%Y-%m-%d'), 'relation': s.relation, 'staff_person_id': s.staff_person_id}
                ORDER BY s.staff_person_id) AS staff
    FROM member_presence m
    JOIN household_features f ON f.household_id = m.household_id
    JOIN staff_relatives s ON s.relative_person_id = m.person_id
    CROSS JOIN ctx
    WHERE f.is_covered AND m.is_present AND (s.filed_date IS NULL OR s.filed_date > ctx.as_of)
    GROUP BY m.household_id, m.person_id, m.name
)
SELECT
    household_id,
    'STAFF_RELATIVE_UNFILED' AS warning_code,
    'STAFF_RELATIVE_UNFILED:' || person_id AS condition_key,
    '在保家庭成员 ' || name || ' 是民政工作人员或村（社区）干部的近亲属，截至 ' || strftime(ctx.as_of, '%Y-%m-%d')
        || ' 尚未备案（近亲属须单独登记备案）。' AS reasons,
    to_json({'parameters': []::JSON[], 'person_id': person_id, 'staff': staff}) AS evidence
FROM unfiled
CROSS JOIN ctx
