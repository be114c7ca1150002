-- depends: care_context, member_presence
-- Older people living alone on D (docs/rulebook.md "Older person living alone"): the only present member of their household,
-- aged care.living_alone_min_age or more in full years on D. Grain: one row per (person_id, household_id).
WITH ctx AS (
    SELECT * FROM care_context
),
present AS (
    SELECT household_id, count(*) AS n FROM member_presence WHERE is_present GROUP BY household_id
)
SELECT m.person_id, m.household_id, m.name, m.age
FROM member_presence m
JOIN present p ON p.household_id = m.household_id AND p.n = 1
CROSS JOIN ctx
WHERE m.is_present AND m.age >= ctx.living_alone_min_age
