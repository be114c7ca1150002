-- depends:
-- Month arithmetic, written once for the SQL (models/rules/months.py is its Python side): months are dates on their
-- first day, and a span of months is named by its first and last month.

CREATE OR REPLACE MACRO first_of_month(d) AS date_trunc('month', d)::DATE;

-- The first day of the month n months before `month` (itself a first day).
CREATE OR REPLACE MACRO months_before(month, n) AS (month - to_months(n))::DATE;

-- The months from `first_month` up to the month before `end_month`, as a reason or the evidence names them:
-- 'YYYY-MM..YYYY-MM'.
CREATE OR REPLACE MACRO month_span_text(first_month, end_month) AS
    strftime(first_month, '%Y-%m') || '..' || strftime(months_before(end_month, 1), '%Y-%m');
