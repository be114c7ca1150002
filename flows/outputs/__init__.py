"""What a night hands to people: per-street exports and workbooks, the 公示 roster, the KPI report, the summary."""
