-- depends: applications, param_evidence, rule_context, working_days
-- APPLICATION_OVERDUE (申请办理超期): an application with no decision on D (decided_date empty or after D) whose working
-- days after submitted_date up to and including D exceed application.processing_limit_working_days.
-- Grain: one row per application. Condition key: APPLICATION_OVERDUE:<application_id>.
WITH ctx AS (
    SELECT * FROM rule_context
),
used AS (
    SELECT list(evidence ORDER BY name) AS parameters,
           any_value(since_text) AS limit_since
    FROM param_evidence WHERE name IN ('application.processing_limit_working_days')
),
-- running count of working days: days in (a, b] = index(b) - index(a)
day_index AS (
    SELECT date, sum(CASE WHEN is_working THEN 1 ELSE 0 END) OVER (ORDER BY date) AS working_index
    FROM working_days
),
pending AS (
    SELECT a.*, (di_d.working_index - coalesce(di_s.working_index, 0))::INTEGER AS working_days_elapsed
    FROM applications a
    CROSS JOIN ctx
    JOIN day_index di_d ON di_d.date = ctx.as_of
    LEFT JOIN day_index di_s ON di_s.date = a.submitted_date
    WHERE a.submitted_date <= ctx.as_of AND (a.decided_date IS NULL OR a.decided_date > ctx.as_of)
)
SELECT
    p.household_id,
    'APPLICATION_OVERDUE' AS warning_code,
    'APPLICATION_OVERDUE:' || p.application_id AS condition_key,
    program_zh(p.program) || '申请于 ' || strftime(p.submitted_date, '%Y-%m-%d') || ' 提交，至 ' || strftime(ctx.as_of, '%Y-%m-%d')
        || ' 已过 ' || p.working_days_elapsed || ' 个工作日仍未办结，超过办理时限 ' || ctx.application_limit_working_days
        || ' 个工作日' || u.limit_since || '。' AS reasons,
    to_json({
        'application_id': p.application_id,
        'parameters': u.parameters,
        'program': p.program,
        'submitted_date': strftime(p.submitted_date, '%Y-%m-%d'),
        'working_days_elapsed': p.working_days_elapsed
    }) AS evidence
FROM pending p
CROSS JOIN ctx
CROSS JOIN used u
WHERE p.working_days_elapsed > ctx.application_limit_working_days
