"""The night's summary lines its counts up under Chinese labels (flows/outputs/summary.py `pad`): a Chinese character
takes two terminal columns, so padding by characters put each count a label's length off."""

from flows.outputs.summary import pad


def test_chinese_labels_are_padded_by_the_columns_they_take():
    assert pad("收入超标", 10) == "收入超标  "  # 4 wide characters: 8 columns, 2 spaces
    assert pad("成员迁出/服刑未调整", 20) == "成员迁出/服刑未调整 "  # 9 wide + 1 narrow = 19 columns
    assert pad("ABC", 5) == "ABC  "
    assert pad("重庆市沙坪坝区小龙坎街道", 4) == "重庆市沙坪坝区小龙坎街道"  # too long: left as is, never cut
