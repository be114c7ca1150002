"""A warning's evidence (the JSON the rules write, docs/CONTRACT.md §4) as lines of Chinese a caseworker can read.

The workbook's 证据 sheet shows one block of these lines per warning instead of the raw JSON, so a caseworker sees
"人均收入：636.00 元" rather than `"per_capita":636.00`. The JSON stays in the CSV for machines. A key or code this
module does not know is shown as it is (nothing is dropped), so a new rule's evidence is still readable, only less
polished, until a label is added here.
"""

from __future__ import annotations

import json

from checks.contract import FEEDS

KEY_ZH = {
    "account_holder_id": "收款账户持有人身份证号",
    "after_death": "死亡后发放",
    "after_enrollment_end": "停保后发放",
    "age": "年龄",
    "amount": "金额（元）",
    "annual_income": "家庭年收入（元）",
    "application_id": "申请编号",
    "asset_id": "财产编号",
    "asset_type": "财产类型",
    "assets": "财产核查",
    "category": "类别",
    "conditions": "符合的条件",
    "countable": "计入收入（元）",
    "countable_income": "计入收入（元）",
    "countable_income_records": "计入的收入记录数",
    "covered_persons": "保障人数",
    "covered_persons_total": "保障人数合计",
    "date": "日期",
    "days_late": "迟发天数",
    "deduction": "扣除（元）",
    "default": "默认值",
    "difference": "差额（元）",
    "disability_grade": "残疾等级",
    "disability_type": "残疾类别",
    "due_date": "应发日期",
    "edge_line": "低保边缘标准（元/月）",
    "effective_from": "施行日期",
    "enrollment_ended_on": "停保日期",
    "enrollment_id": "救助编号",
    "enrollment_ids": "救助编号",
    "enrollments": "救助记录",
    "event_date": "事件日期",
    "event_id": "事件编号",
    "event_type": "事件类型",
    "expenses": "刚性支出",
    "failed_tests": "未通过的财产核查",
    "failing_assets": "不符合规定的财产",
    "filed_date": "备案日期",
    "financial_limit": "存款和有价证券限额（元）",
    "financial_total": "存款和有价证券合计（元）",
    "households": "涉及的户",
    "income": "收入核算",
    "income_drop": "收入骤降",
    "income_known": "有收入记录",
    "income_records": "收入记录数",
    "labor_capacity": "劳动能力",
    "last_death_date": "最近死亡日期",
    "low_income_line": "低收入标准（元/月）",
    "members_present": "共同生活成员人数",
    "method": "抽取方法",
    "model": "评分说明",
    "month": "月份",
    "monthly_benefit": "核定月救助金（元）",
    "monthly_income_line": "月收入线（元）",
    "months": "月份区间",
    "net": "净收入（元）",
    "paid_date": "发放日期",
    "parameters": "依据的参数",
    "payment_id": "发放编号",
    "payments": "发放记录",
    "per_capita": "人均收入（元/月）",
    "period": "所属月份",
    "person_id": "身份证号",
    "prior": "此前",
    "program": "救助项目",
    "rank_in_street": "街道内序位",
    "recent": "近期",
    "record_id": "记录编号",
    "record_ids": "收入记录编号",
    "records": "支出记录",
    "relation": "关系",
    "residential_count": "住房套数",
    "sample_size": "抽取数量",
    "seed": "随机种子",
    "self_paid_total": "自付合计（元）",
    "source": "来源",
    "spending_line": "支出线（元）",
    "staff": "工作人员",
    "staff_person_id": "工作人员身份证号",
    "standard": "低保标准（元/月）",
    "start_date": "开始日期",
    "status": "状态",
    "street_code": "镇街代码",
    "submitted_date": "申请日期",
    "subtype": "细类",
    "test": "核查项",
    "total_amount": "合计（元）",
    "unemployment_events": "失业登记",
    "value": "价值（元）",
    "window": "收入核算期间",
    "working_days_elapsed": "已用工作日",
}
CODE_ZH = {
    "dibao": "低保",
    "tekun": "特困",
    "edge": "低保边缘",
    "rigid": "刚性支出困难",
    "age_allowance": "高龄津贴",
    "vehicle": "车辆",
    "real_estate": "房产",
    "business": "经营实体",
    "deposit": "存款",
    "securities": "有价证券",
    "car": "小汽车",
    "motorcycle": "摩托车",
    "disability_mobility": "残疾人代步车",
    "agricultural": "农用车",
    "commercial": "商业用",
    "residential": "住宅",
    "land_use": "土地使用权",
    "sole_proprietor": "个体工商户",
    "company": "公司",
    "financial": "存款和有价证券",
    "medical_inpatient": "住院医疗",
    "medical_outpatient": "门诊医疗",
    "medical_chronic": "慢病医疗",
    "education": "教育",
    "disability_rehab": "残疾康复",
    "other": "其他",
    "death": "死亡",
    "hukou_out": "户口迁出",
    "hukou_in": "户口迁入",
    "incarceration": "服刑",
    "release": "刑满释放",
    "hospital_admission": "住院",
    "disability_certified": "残疾认定",
    "unemployment_registered": "失业登记",
    "employment_registered": "就业登记",
    "marriage": "结婚",
    "divorce": "离婚",
    "birth": "出生",
    "public_security": "公安",
    "health": "卫生健康",
    "hr": "人力社保",
    "justice": "司法",
    "disabled_federation": "残联",
    "civil_affairs": "民政",
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "full": "完全",
    "partial": "部分",
    "none": "无",
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
    "elderly": "老年人",
    "minor": "未成年人",
    "disabled": "重病重残",
    "unconfirmed": "地方设置，待区民政局确认",
    "verified": "已核实",
    "source_needed": "待补出处",
}
assert set(FEEDS["persons"].column("relation").codes) <= set(CODE_ZH), "every relation code has its Chinese word"
INDENT = "    "


def _scalar(key: str, value) -> str:
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, str):
        return CODE_ZH.get(value, value)
    return str(value)


def _label(key: str) -> str:
    return KEY_ZH.get(key, key)


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _parameter(p: dict) -> str:
    value = p.get("value")
    shown = (
        "、".join(_scalar("", v) for v in value)
        if isinstance(value, list)
        else json.dumps(value, ensure_ascii=False)
        if isinstance(value, dict)
        else _scalar("", value)
    )
    status = CODE_ZH.get(p.get("status"), p.get("status") or "")
    # the legal source (`reference`) stays in the CSV's JSON and the parameter file: here it would bury the facts
    return f"{p.get('name')} = {shown}（自 {p.get('effective_from')} 起施行；{status}）"


def _model(doc: dict) -> list[str]:
    lines = [f"核查确认的估计概率 {doc['score']:.2f}（模型 {doc.get('model_id', '')}）" if "score" in doc else ""]
    lines += [f["text_zh"] for f in doc.get("top_features", []) if f.get("text_zh")]
    if doc.get("note_zh"):
        lines.append(doc["note_zh"])
    return [x for x in lines if x]


def _lines(obj, depth: int) -> list[str]:
    pad = INDENT * depth
    out: list[str] = []
    for key in obj:
        value = obj[key]
        if key == "parameters":
            if value:
                out.append(f"{pad}{_label(key)}：")
                out += [f"{pad}{INDENT}· {_parameter(p)}" for p in value]
        elif key == "model" and isinstance(value, dict):
            out.append(f"{pad}{_label(key)}：")
            out += [f"{pad}{INDENT}{line}" for line in _model(value)]
        elif _is_scalar(value):
            out.append(f"{pad}{_label(key)}：{_scalar(key, value)}")
        elif isinstance(value, list) and all(_is_scalar(v) for v in value):
            out.append(f"{pad}{_label(key)}：{'、'.join(_scalar(key, v) for v in value) if value else '无'}")
        elif isinstance(value, list):
            out.append(f"{pad}{_label(key)}（{len(value)} 条）：")
            for item in value:
                if isinstance(item, dict) and all(_is_scalar(v) for v in item.values()):
                    out.append(f"{pad}{INDENT}· " + "，".join(f"{_label(k)} {_scalar(k, v)}" for k, v in item.items()))
                else:
                    out.append(f"{pad}{INDENT}·")
                    out += _lines(item if isinstance(item, dict) else {"": item}, depth + 2)
        else:
            out.append(f"{pad}{_label(key)}：")
            out += _lines(value, depth + 1)
    return out


def evidence_lines(evidence: str | None) -> list[str]:
    """The evidence JSON as readable lines (nested records indented); text that is not a JSON object stays as it is."""
    if not evidence:
        return ["（无证据记录）"]
    try:
        doc = json.loads(evidence)
    except ValueError:
        return [evidence]
    if not isinstance(doc, dict):
        return [evidence]
    return _lines(doc, 0)


def score_explanation(evidence: str | None) -> str | None:
    """The model's explanation of a score (the evidence's `model` part) as one line, or None without a model."""
    try:
        doc = json.loads(evidence) if evidence else None
    except ValueError:
        return None
    model = doc.get("model") if isinstance(doc, dict) else None
    return "；".join(_model(model)) if isinstance(model, dict) else None
