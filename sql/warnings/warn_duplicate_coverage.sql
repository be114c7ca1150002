-- depends: household_features, member_presence
-- DUPLICATE_COVERAGE (重复享受): (a) a person listed in two or more covered households: one row per household, key
-- DUPLICATE_COVERAGE:<person_id>; (b) a household with a dibao and a tekun enrollment both covering it on D whose
-- covered_persons add up to more than n: key DUPLICATE_COVERAGE:dibao+tekun.
-- Grain: one row per household and condition.
WITH listed AS (
    SELECT m.person_id, m.household_id, m.name
    FROM member_presence m
    JOIN household_features f ON f.household_id = m.household_id
    WHERE f.is_covered
),
twice AS (
    SELECT person_id, list(DISTINCT household_id ORDER BY household_id) AS households
    FROM listed
    GROUP BY person_id
    HAVING count(DISTINCT household_id) >= 2
)
SELECT
    l.household_id,
    'DUPLICATE_COVERAGE' AS warning_code,
    'DUPLICATE_COVERAGE:' || l.person_id AS condition_key,
    l.name || ' 同时是 ' || len(t.households) || ' 个在保家庭（' || array_to_string(t.households, '、')
        || '）的成员，疑似重复享受。' AS reasons,
    to_json({'households': t.households, 'parameters': []::JSON[], 'person_id': l.person_id}) AS evidence
FROM listed l
JOIN twice t ON t.person_id = l.person_id
UNION ALL
SELECT
    f.household_id,
    'DUPLICATE_COVERAGE' AS warning_code,
    'DUPLICATE_COVERAGE:dibao+tekun' AS condition_key,
    '该户同时享受低保和特困供养，保障人数合计 ' || f.covered_persons_total || ' 人，超过共同生活成员 ' || f.n
        || ' 人，疑似重复享受。' AS reasons,
    to_json({'covered_persons_total': f.covered_persons_total, 'enrollment_ids': f.covered_enrollment_ids,
             'members_present': f.n, 'parameters': []::JSON[]}) AS evidence
FROM household_features f
WHERE f.has_dibao_covered AND f.has_tekun_covered AND f.covered_persons_total > f.n
