"""The synthetic district generator behind `safetynet generate` (docs/DESIGN.md, "The synthetic district").

Why: no real personal data may enter the repository, yet the pipeline needs realistic nightly drops with known ground
truth. `generate` builds Shapingba's households, people, incomes, assets, spending, events, roster, payments and
applications for K consecutive nights, plants fire / near-miss cases for every warning code (truth in `<out>/truth/`,
never read by the pipeline), and is fully seeded: same arguments, same bytes. `--counties N` makes it a municipality
(docs/CONTRACT.md v2, "Municipality scale"), written county by county in bounded memory.
"""

from __future__ import annotations

from flows.devtools.synthetic.municipality import generate

__all__ = ["generate"]
