-- depends: enrollment, rule_context
-- What each household is enrolled in on D (docs/rulebook.md "Covered", "On the roster", "Enrolled as P").
-- Grain: one row per household with at least one enrollment row.
WITH ctx AS (
    SELECT as_of FROM rule_context
),
e AS (
    SELECT
        e.*,
        in_force_on(e.start_date, e.end_date, ctx.as_of)                                       AS in_force,
        is_covering(e.program, e.status, e.start_date, e.end_date, ctx.as_of)                  AS covering,
        e.program IN ('dibao', 'tekun') AND e.status IN ('active', 'gradual_exit', 'suspended')  AS rosters
    FROM enrollment e, ctx
)
SELECT
    household_id,
    coalesce(bool_or(covering), false)                                        AS is_covered,
    coalesce(bool_or(in_force AND rosters), false)                                       AS is_on_roster,
    coalesce(bool_or(in_force AND program = 'edge' AND status = 'active'), false)        AS is_enrolled_edge,
    coalesce(bool_or(in_force AND program = 'rigid' AND status = 'active'), false)       AS is_enrolled_rigid,
    coalesce(bool_or(in_force AND program = 'dibao' AND status = 'active'), false)       AS has_dibao_active,
    coalesce(bool_or(in_force AND program = 'dibao' AND status = 'gradual_exit'), false) AS has_dibao_gradual_exit,
    coalesce(bool_or(covering AND program = 'dibao'), false)                  AS has_dibao_covered,
    coalesce(bool_or(covering AND program = 'tekun'), false)                  AS has_tekun_covered,
    coalesce(sum(covered_persons) FILTER (WHERE covering), 0)::INTEGER        AS covered_persons_total,
    coalesce(list_sort(list(enrollment_id) FILTER (WHERE covering)), [])  AS covered_enrollment_ids,
    coalesce(list_sort(list(enrollment_id) FILTER (WHERE in_force AND program = 'dibao' AND status = 'active')), [])    AS dibao_active_enrollment_ids
FROM e
GROUP BY household_id
