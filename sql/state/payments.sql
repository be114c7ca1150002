-- payments: increment state as of D: the union of all drops on or before D, a later row with the same payment_id replacing the
-- earlier one (a correction). Quarantined rows are left out first, so the last valid version of a record stays in force
-- until a valid correction arrives. Grain: one row per payment_id.
SELECT s.* EXCLUDE (_file, _line)
FROM stg_payments AS s
WHERE NOT EXISTS (SELECT 1 FROM quarantine AS q WHERE q.file = s._file AND q.line = s._line)
QUALIFY row_number() OVER (PARTITION BY s.payment_id ORDER BY s._drop_date DESC, s._line DESC) = 1
