"""Modules Great Expectations imports at start-up but no night uses: loaded when first used, not when GX is imported.

GX 1.x imports every built-in expectation when it is imported. One of them, `expect_column_kl_divergence_to_be_less_than`,
imports `scipy.stats` and `altair` at module level for its statistics and plots, which no suite here uses; the two
imports are ~1.9 s of the ~5.7 s `import great_expectations` takes on this machine, paid by every night, CLI command and
test process.

`defer` puts a stand-in module in `sys.modules` for each: an `import` statement finds it already there and binds it
without loading anything. The first attribute read on it (`stats.entropy`, `alt.Chart`, or a submodule import, which
reads `__path__`) imports the real module, puts it back in `sys.modules` and answers from it; code holding the stand-in
keeps working through it. So scikit-learn, or GX itself if a suite ever used that expectation, gets the real module, one
import later. Modules already imported are left alone. (`importlib.util.LazyLoader` cannot do this on Python 3.11: an
`import` statement reads the module's `__spec__`, which makes it load at once.)
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

UNUSED_BY_THE_SUITES = ("scipy.stats", "altair")


class _Deferred(types.ModuleType):
    """Stands in `sys.modules` for a module until something reads an attribute of it."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        self.__spec__ = spec  # what an import statement reads to see the module is loaded

    def __getattr__(self, attr: str):  # called only for attributes the stand-in does not have
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        if parent and getattr(sys.modules[parent], child, None) is self:
            setattr(sys.modules[parent], child, real)
        return getattr(real, attr)


def defer(names: tuple[str, ...] = UNUSED_BY_THE_SUITES) -> None:
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        stand_in = _Deferred(name, spec)
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent:  # `from scipy import stats` reads the attribute (scipy would otherwise import it on access)
            setattr(sys.modules[parent], child, stand_in)
