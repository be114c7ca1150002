-- depends: care_contacts, care_weeks
-- Each person's contacts in each judged week (care_weeks), visits and calls counted separately. A contact counts when
-- the person was reached (result ok or concern); a no_answer contact is an attempt, counted apart. Grain: one row per
-- person and week with a contact; read by CARE_CONTACT_MISSED and the care view of the KPI report (care_week_by_street).
SELECT
    c.person_id,
    w.week_start,
    count(*) FILTER (WHERE c.mode = 'visit' AND c.result <> 'no_answer') AS visits,
    count(*) FILTER (WHERE c.mode = 'call' AND c.result <> 'no_answer')  AS calls,
    count(*) FILTER (WHERE c.result = 'no_answer')                       AS unanswered,
    -- sorted after grouping: an ordered aggregate sorts within every group, the slowest part of this relation
    list_transform(list_sort(list({'date': c.contact_date, 'id': c.contact_id})), lambda x: x.id) AS contact_ids
FROM care_contacts c
JOIN care_weeks w ON c.contact_date >= w.week_start AND c.contact_date <= w.week_end
GROUP BY c.person_id, w.week_start
