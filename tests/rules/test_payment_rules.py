"""Payment family: PAYMENT_AFTER_END, PAYMENT_MISMATCH, PAYMENT_LATE, ACCOUNT_HOLDER_OUTSIDE.

By hand, D = 2026-03-10: payments with period 2025-03 or later are in scope. A period's due date is its last day
(+ payment.due_offset_days 0): a January benefit paid on 2026-01-31 is on time, on 2026-02-01 late.
"""

import pytest

from tests.rules.conftest import StateBuilder

PAE, PM, PL, AHO = "PAYMENT_AFTER_END", "PAYMENT_MISMATCH", "PAYMENT_LATE", "ACCOUNT_HOLDER_OUTSIDE"


def build():
    s = StateBuilder()
    expect = {}  # payment_id or holder key -> (hid, code, fires)

    def pay(code, fires, hid, period, amount, paid, holder, **kw):
        pid = s.payment(hid, period, amount, paid, holder, **kw)
        expect[pid] = (hid, code, f"{code}:{pid}", fires)
        return pid

    [p] = s.household("ENDED")
    s.enroll("ENDED", status="terminated", monthly_benefit=600, end_date="2025-12-31")
    pay(PAE, True, "ENDED", "2026-01", 600, "2026-01-20", p)  # period starts after the end
    pay(PAE, False, "ENDED", "2025-12", 600, "2025-12-20", p)  # in force on 2025-12-01
    pay(PAE, False, "ENDED", "2025-02", 600, "2025-02-20", p)  # fine anyway, and out of scope
    [p] = s.household("FIRST_MONTH")
    s.enroll("FIRST_MONTH", monthly_benefit=600, start_date="2025-11-15")
    pay(PAE, False, "FIRST_MONTH", "2025-11", 600, "2025-11-20", p)  # first part month of a new enrollment
    [p] = s.household("DIED")
    s.enroll("DIED", monthly_benefit=600)
    s.event(p, "death", "2025-12-20")
    pay(PAE, True, "DIED", "2026-01", 600, "2026-01-20", p)  # nobody present on 2026-01-01
    pay(PAE, False, "DIED", "2025-12", 600, "2025-12-10", p)  # alive on 2025-12-01
    # died on the first day of January: January's benefit was still due, February's was not
    [p] = s.household("DIED_ON_FIRST")
    s.enroll("DIED_ON_FIRST", monthly_benefit=600)
    s.event(p, "death", "2026-01-01")
    pay(PAE, False, "DIED_ON_FIRST", "2026-01", 600, "2026-01-20", p)
    pay(PAE, True, "DIED_ON_FIRST", "2026-02", 600, "2026-02-20", p)
    a, b = s.household("ONE_DIED", members=2)
    s.enroll("ONE_DIED", covered_persons=2, monthly_benefit=600)
    s.event(b, "death", "2025-12-20")
    pay(PAE, False, "ONE_DIED", "2026-01", 600, "2026-01-20", a)  # one member still present

    [p] = s.household("MISMATCH")
    s.enroll("MISMATCH", monthly_benefit=600)
    pay(PM, True, "MISMATCH", "2026-01", 599.99, "2026-01-20", p)
    pay(PM, False, "MISMATCH", "2026-02", 600, "2026-02-20", p)
    pay(PM, True, "MISMATCH", "2025-12", 600.01, "2025-12-20", p)
    # benefit raised from 500 to 600 on 2026-01-01: each period is compared with the enrollment in force on its first day
    [p] = s.household("RAISED")
    s.enroll("RAISED", monthly_benefit=500, end_date="2026-01-01", status="terminated")
    s.enroll("RAISED", monthly_benefit=600, start_date="2026-01-01")
    pay(PM, False, "RAISED", "2025-12", 500, "2025-12-20", p)
    pay(PM, True, "RAISED", "2026-01", 500, "2026-01-20", p)
    pay(PM, False, "RAISED", "2026-02", 600, "2026-02-20", p)
    # the total of a month's payments is compared: two instalments make the full benefit; the full benefit paid twice
    # is an overpayment, keyed by the month's first payment
    [p] = s.household("INSTALMENTS")
    s.enroll("INSTALMENTS", monthly_benefit=600)
    pay(PM, False, "INSTALMENTS", "2026-01", 300, "2026-01-10", p)
    pay(PM, False, "INSTALMENTS", "2026-01", 300, "2026-01-25", p)
    [p] = s.household("PAID_TWICE")
    s.enroll("PAID_TWICE", monthly_benefit=600)
    pay(PM, True, "PAID_TWICE", "2026-01", 600, "2026-01-10", p, payment_id="PAY_TWICE_A")
    pay(PM, False, "PAID_TWICE", "2026-01", 600, "2026-01-12", p, payment_id="PAY_TWICE_B")

    [p] = s.household("LATE")
    s.enroll("LATE", monthly_benefit=600)
    pay(PL, False, "LATE", "2026-01", 600, "2026-01-31", p)  # on its due date
    pay(PL, True, "LATE", "2025-12", 600, "2026-01-01", p)  # one day after 2025-12-31
    pay(PL, False, "LATE", "2026-02", 600, "2026-02-28", p)  # February's last day

    a, b = s.household("HOLDER", members=2)
    s.enroll("HOLDER", covered_persons=2, monthly_benefit=600)
    s.payment("HOLDER", "2026-01", 600, "2026-01-20", a)
    s.payment("HOLDER", "2026-02", 600, "2026-02-20", b)
    [p] = s.household("OUTSIDER")
    s.enroll("OUTSIDER", monthly_benefit=600)
    p1 = s.payment("OUTSIDER", "2026-01", 600, "2026-01-20", "500106197001011234")
    p2 = s.payment("OUTSIDER", "2026-02", 600, "2026-02-20", "500106197001011234")
    expect["OUTSIDER"] = ("OUTSIDER", AHO, f"{AHO}:500106197001011234", True)
    expect["HOLDER"] = ("HOLDER", AHO, None, False)
    # a holder who died is still listed in persons for the household: not an outsider
    a, b = s.household("HOLDER_DEAD", members=2)
    s.enroll("HOLDER_DEAD", monthly_benefit=600, covered_persons=2)
    s.event(b, "death", "2025-06-01")
    s.payment("HOLDER_DEAD", "2026-01", 600, "2026-01-20", b)
    expect["HOLDER_DEAD"] = ("HOLDER_DEAD", AHO, None, False)
    return s, expect, (p1, p2)


STATE, EXPECT, OUTSIDER_PAYMENTS = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("case", sorted(EXPECT))
def test_payment_case(result, case):
    hid, code, key, fires = EXPECT[case]
    if key is None:
        assert not result.keys(hid, code)
    else:
        assert (key in result.keys(hid, code)) is fires, result.for_household(hid)


def test_outside_holder_lists_payments(result):
    row = result.one("OUTSIDER", AHO)
    assert [p["payment_id"] for p in row["evidence"]["payments"]] == sorted(OUTSIDER_PAYMENTS)
    assert row["evidence"]["total_amount"] == 1200
    assert "500106********1234" in row["reasons"]


def test_mismatch_and_late_reasons(result):
    [mm] = [r for r in result.for_household("MISMATCH") if r["warning_code"] == PM and "少发" in r["reasons"]]
    assert "实发 599.99 元，核定月保障金 600.00 元，少发 0.01 元" in mm["reasons"]
    [late] = [r for r in result.for_household("LATE") if r["warning_code"] == PL]
    assert "应于 2025-12-31 前发放，实际 2026-01-01 发放，迟 1 天" in late["reasons"]


def test_paid_twice_evidence(result):
    row = result.one("PAID_TWICE", PM)
    assert [q["payment_id"] for q in row["evidence"]["payments"]] == ["PAY_TWICE_A", "PAY_TWICE_B"]
    assert row["evidence"]["amount"] == 1200 and row["evidence"]["difference"] == 600
    assert "实发 1200.00 元（2 笔合计），核定月保障金 600.00 元，多发 600.00 元" in row["reasons"]


def test_after_death_reason(result):
    [row] = [r for r in result.for_household("DIED") if r["warning_code"] == PAE]
    assert "最后一名成员已于 2025-12-20 死亡" in row["reasons"]
