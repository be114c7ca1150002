-- depends:
-- Definitions of docs/rulebook.md that more than one relation applies, written once.

-- Severe disability (docs/POLICY.md §2, docs/rulebook.md "Severe disability"): a grade in disability.severe_grades, or
-- grade disability.severe_typed_grade of a type in disability.severe_grade3_types; TEKUN_CANDIDATE and
-- SEVERE_DISABILITY_SINGLE both read it.
CREATE OR REPLACE MACRO is_severe_disability(grade, type, severe_grades, typed_grade, grade3_types) AS
    coalesce(list_contains(severe_grades, grade) OR (grade = typed_grade AND list_contains(grade3_types, type)), false);

-- The asset test an asset held on D falls under (docs/rulebook.md "Asset tests"), NULL for none (an exempt vehicle):
-- household_assets counts by it, the ASSET_OVER_LIMIT evidence lists by it.
CREATE OR REPLACE MACRO asset_test(asset_type, subtype, exempt_vehicle_subtypes) AS
    CASE WHEN asset_type IN ('deposit', 'securities') THEN 'financial'
         WHEN asset_type = 'vehicle' AND NOT coalesce(list_contains(exempt_vehicle_subtypes, subtype), false) THEN 'vehicle'
         WHEN asset_type = 'real_estate' AND subtype = 'residential' THEN 'real_estate_residential'
         WHEN asset_type = 'real_estate' AND subtype = 'commercial' THEN 'real_estate_commercial'
         WHEN asset_type = 'business' THEN 'business' END;

-- In force on day d: started on or before d, not ended by d (an enrollment, a value, a record with a validity span).
CREATE OR REPLACE MACRO in_force_on(start_date, end_date, d) AS start_date <= d AND (end_date IS NULL OR end_date > d);

-- Covered (docs/rulebook.md "Covered"): an enrollment of dibao or tekun, status active or gradual_exit, in force on d.
-- household_coverage, the member rules, the 公示 roster and the random review all ask it through this one macro.
CREATE OR REPLACE MACRO is_covering(program, status, start_date, end_date, d) AS
    program IN ('dibao', 'tekun') AND status IN ('active', 'gradual_exit') AND in_force_on(start_date, end_date, d);
