"""A bad override file for `safetynet nightly --params` is a usage error (exit 2, one line naming the problem), found
by the argument parser before any night starts."""

import pytest

from flows.cli import parser


@pytest.mark.parametrize("content, expected", [
    (None, "does not exist"),
    ("no_such_param: 5\n", "unknown parameter 'no_such_param'"),
    ("dibao.standard_urban: [\n", "not valid YAML"),
    ("dibao.standard_urban: 5\n", "expected a mapping with 'values"),
    ("dibao.standard_urban: {values: {2026-13-01: {value: 700}}}\n", "month must be in 1..12"),
])
def test_bad_params_file_is_a_usage_error(tmp_path, capsys, content, expected):
    path = tmp_path / "override.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["nightly", "--drops", str(tmp_path), "--as-of", "2026-03-02", "--params", str(path)])
    assert exit_.value.code == 2 and expected in capsys.readouterr().err
