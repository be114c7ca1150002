-- depends: enrollment, households, member_presence, persons, run_context
-- The monthly 公示 roster (docs/CONTRACT.md v2, docs/POLICY.md §7, seed item 12: 谁救助谁公示): the households covered by dibao or
-- tekun on D (status active or gradual_exit, in force on D), one row per household and program, with only what a
-- community posts publicly: the head's name with its middle characters masked, the household size (members present on
-- D), the program, the approved monthly amount and the start month. No ID number, no income, no address beyond the
-- community, no disability or health detail: the columns below are all there is. `head_name` is kept for the order
-- only (sorted by name) and never written.
-- Masking: a name of 3 or more characters keeps its first and last (张*明, 欧阳**华 -> 欧**华); a name of 2 keeps its
-- first (张*: the second alone would complete it); a name of 1 is '*'.
-- Grain: one row per covered household and program.
WITH ctx AS (
    SELECT as_of FROM run_context
),
covered AS (
    SELECT e.household_id, e.program, sum(e.monthly_benefit) AS monthly_benefit, min(e.start_date) AS start_date
    FROM enrollment e, ctx
    WHERE is_covering(e.program, e.status, e.start_date, e.end_date, ctx.as_of)
    GROUP BY e.household_id, e.program
),
heads AS (
    SELECT household_id, name
    FROM persons
    QUALIFY row_number() OVER (PARTITION BY household_id ORDER BY (relation = 'head') DESC, person_id) = 1
),
sizes AS (
    SELECT household_id, count(*) FILTER (WHERE is_present) AS n FROM member_presence GROUP BY household_id
)
SELECT
    h.region_code                                                       AS community_code,
    hd.name                                                             AS head_name,
    c.household_id,
    CASE WHEN length(hd.name) >= 3 THEN left(hd.name, 1) || repeat('*', length(hd.name) - 2) || right(hd.name, 1)
         WHEN length(hd.name) = 2 THEN left(hd.name, 1) || '*'
         ELSE '*' END                                                   AS head_name_masked,
    coalesce(s.n, 0)                                                    AS household_size,
    c.program,
    CASE c.program WHEN 'dibao' THEN '最低生活保障' ELSE '特困人员救助供养' END AS program_zh,
    c.monthly_benefit::DECIMAL(14, 2)                                   AS monthly_benefit,
    strftime(c.start_date, '%Y-%m')                                     AS start_month
FROM covered c
JOIN households h ON h.household_id = c.household_id
LEFT JOIN heads hd ON hd.household_id = c.household_id
LEFT JOIN sizes s ON s.household_id = c.household_id
ORDER BY community_code, head_name, c.household_id, c.program
