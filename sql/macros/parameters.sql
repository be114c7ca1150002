-- depends: params_in_force
-- A parameter's value in force on D (models/rules/parameters.py writes params_in_force): a number, or its JSON text.
CREATE OR REPLACE MACRO param(n) AS (SELECT value FROM params_in_force WHERE name = n);

CREATE OR REPLACE MACRO param_text(n) AS (SELECT value_json FROM params_in_force WHERE name = n);
