"""The modules GX imports but no suite uses are loaded only when used, and then work as usual (fresh interpreters)."""

import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()


def test_gx_import_leaves_them_unloaded_and_first_use_loads_them():
    out = _run("""
        import sys
        import checks.gx_duckdb  # imports Great Expectations
        import great_expectations.expectations as gxe
        assert gxe.ExpectColumnKLDivergenceToBeLessThan  # the expectation that imports them is there
        assert "scipy.stats._stats_py" not in sys.modules and "altair.vegalite" not in sys.modules
        from scipy import stats  # binds the stand-in
        print(round(float(stats.entropy([0.5, 0.5], [0.25, 0.75])), 6))
        assert "scipy.stats._stats_py" in sys.modules
        import scipy.stats
        from scipy.stats import rankdata
        print(rankdata([30, 10, 20]).tolist(), sys.modules["scipy.stats"] is scipy.stats)
        import altair
        print(altair.Chart.__name__)
    """)
    # KL divergence of (1/2, 1/2) from (1/4, 3/4): 1/2 ln 2 + 1/2 ln(2/3) = 0.143841
    assert out.splitlines() == ["0.143841", "[3.0, 1.0, 2.0] True", "Chart"]


def test_modules_imported_before_are_left_alone():
    out = _run("""
        import sys
        import scipy.stats
        real = sys.modules["scipy.stats"]
        import checks.gx_duckdb
        print(sys.modules["scipy.stats"] is real, type(real).__name__)
    """)
    assert out == "True module"
