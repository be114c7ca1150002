-- depends:
-- How the rule SQL writes figures, names and codes in a reason or the evidence (docs/rulebook.md).

-- A parameter value prints as given (636, 0.3, 1.5), money with 2 decimals.
CREATE OR REPLACE MACRO fmt_num(x) AS
    CASE WHEN x IS NULL THEN NULL WHEN x = trunc(x) THEN printf('%d', x::BIGINT)
         ELSE rtrim(rtrim(printf('%.4f', x), '0'), '.') END;

CREATE OR REPLACE MACRO fmt_yuan(x) AS printf('%.2f', x);

-- An amount divided, to the cent below or above: a reason that says "below the standard" shows a figure below it
-- (per capita 635.998 is 635.99, never 636.00 "below 636"), one that says "above" a figure above it. Exact: the
-- amount in cents is a whole number, and a double quotient of two whole numbers is never on the wrong side of one.
CREATE OR REPLACE MACRO cents_down(amount, divisor) AS (floor((amount * 100)::DOUBLE / divisor) / 100)::DECIMAL(18, 2);

CREATE OR REPLACE MACRO cents_up(amount, divisor) AS (ceil((amount * 100)::DOUBLE / divisor) / 100)::DECIMAL(18, 2);

CREATE OR REPLACE MACRO program_zh(p) AS
    CASE p WHEN 'dibao' THEN '低保' WHEN 'tekun' THEN '特困供养' WHEN 'edge' THEN '低保边缘'
           WHEN 'rigid' THEN '刚性支出困难' ELSE p END;

CREATE OR REPLACE MACRO mask_id(x) AS
    CASE WHEN length(x) > 10 THEN left(x, 6) || repeat('*', length(x) - 10) || right(x, 4) ELSE x END;

CREATE OR REPLACE MACRO disability_type_zh(t) AS
    CASE t WHEN 'visual' THEN '视力' WHEN 'hearing' THEN '听力' WHEN 'speech' THEN '言语' WHEN 'physical' THEN '肢体'
           WHEN 'intellectual' THEN '智力' WHEN 'mental' THEN '精神' WHEN 'multiple' THEN '多重' ELSE '' END;
