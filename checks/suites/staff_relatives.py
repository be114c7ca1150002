"""staff_relatives.csv — 近亲属备案 (full extract, optional): contract checks and both ID numbers valid (GB 11643)."""

from __future__ import annotations

from checks import id_number_sql as idn
from checks.row_check import RowCheck, contract_checks

FEED = "staff_relatives"


def checks(ctx) -> list[RowCheck]:
    return [*contract_checks(FEED), *idn.id_checks(FEED, "staff_person_id"), *idn.id_checks(FEED, "relative_person_id")]
