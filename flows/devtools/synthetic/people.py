"""People: Chinese names and GB 11643 resident ID numbers, vectorised.

Why: every person in the synthetic district needs a unique, checksum-valid 18-character ID whose birth date and sex
agree with the person row (the ingest checks quarantine anything else), and a plausible name; at a million households
this must be array arithmetic, not a Python loop.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from checks.id_number import CHECK_CHARS, WEIGHTS

SURNAMES = list(
    "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤冉代"
)
# Zipf-like weights; a few surnames common in Chongqing get a boost.
_W = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
for _c, _f in (("何", 2.0), ("罗", 2.0), ("谭", 2.5), ("冉", 3.0), ("向", 2.5), ("蒋", 1.5), ("唐", 1.5)):
    _W[SURNAMES.index(_c)] *= _f
SURNAME_P = _W / _W.sum()

GIVEN_M = list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋勋成志国建文东海兵德福贵祥荣亮")
GIVEN_F = list("芳娟敏静丽艳娜秀英霞燕玲桂兰琴梅红莉婷雪颖倩琳晶欣怡佳瑶萍玉凤洁蓉慧丹君霖菊珍秋月春")

# Chongqing county codes seen in ID numbers of people registered in Shapingba but born elsewhere in the municipality.
OTHER_CQ_REGIONS = np.array(
    [
        500101,
        500102,
        500103,
        500104,
        500105,
        500107,
        500108,
        500109,
        500110,
        500112,
        500113,
        500115,
        500116,
        500117,
        500118,
        500120,
        500151,
        500229,
        500230,
        500233,
        500235,
        500236,
        500240,
        500242,
    ],
    dtype=np.int64,
)
HOME_REGION = 500106


def draw_regions(rng: np.random.Generator, n: int, home_share: float = 0.85, home: int = HOME_REGION) -> np.ndarray:
    """Birth regions: the county the household lives in (`home`) for most, another Chongqing county for the rest."""
    at_home = rng.random(n) < home_share
    return np.where(at_home, home, OTHER_CQ_REGIONS[rng.integers(0, len(OTHER_CQ_REGIONS), n)])


def draw_names(rng: np.random.Generator, male: np.ndarray) -> pl.Series:
    """Surname + one or two given-name characters, by sex."""
    n = len(male)
    sur = rng.choice(len(SURNAMES), size=n, p=SURNAME_P)
    gm, gf = np.array(GIVEN_M), np.array(GIVEN_F)
    g1 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    g2 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    two = rng.random(n) < 0.7
    names = np.char.add(np.char.add(np.array(SURNAMES)[sur], g1), np.where(two, g2, ""))
    return pl.Series("name", names, dtype=pl.String)


def id_numbers(
    region: np.ndarray, birth: np.ndarray, male: np.ndarray, order: np.ndarray, taken: pl.DataFrame | None = None
) -> tuple[np.ndarray, pl.DataFrame]:
    """Unique 18-character IDs, and the sequence numbers now taken.

    `birth` is datetime64[D]; `order` is a tie-breaking random key. Persons sharing (region, birth date, sex) get
    consecutive sequence numbers (odd for men, even for women), which makes every ID unique by construction.
    `taken` (columns r, b, m, n: region, birth day number, male, sequence numbers used) carries the cells filled by
    blocks generated earlier: a block continues their numbering, so a municipality generated block by block never
    gives two people one ID.
    """
    n = len(region)
    region = region.astype(np.int64)
    # A (region, birth date, sex) cell holds at most 499 sequence numbers; in a large district a popular birth date
    # overflows, and the overflow is registered in another Chongqing county instead (as people born elsewhere are).
    for attempt in range(len(OTHER_CQ_REGIONS) + 1):
        df = pl.DataFrame(
            {"r": region, "b": birth.astype("datetime64[D]").astype(np.int64), "m": male, "o": order, "i": np.arange(n)}
        )
        df = df.sort(["r", "b", "m", "o"]).with_columns(pl.int_range(pl.len()).over(["r", "b", "m"]).alias("k"))
        if taken is not None and taken.height:
            df = df.join(taken, on=["r", "b", "m"], how="left").with_columns(pl.col("k") + pl.col("n").fill_null(0))
        df = df.sort("i")
        k = df["k"].to_numpy()
        over = k > 498
        if not over.any():
            break
        if attempt == len(OTHER_CQ_REGIONS):
            raise ValueError("more than 499 people share a region, birth date and sex; cannot number them uniquely")
        region = np.where(
            over,
            OTHER_CQ_REGIONS[(np.searchsorted(OTHER_CQ_REGIONS, region) + 1 + k // 499) % len(OTHER_CQ_REGIONS)],
            region,
        )
    used = df.select("r", "b", "m", (pl.col("k") + 1).alias("n"))
    if taken is not None:
        used = pl.concat([taken, used], how="vertical_relaxed")
    taken = used.group_by("r", "b", "m").agg(pl.col("n").max())
    seq = 2 * k + np.where(male, 1, 2)
    b = birth.astype("datetime64[D]")
    y = b.astype("datetime64[Y]").astype(np.int64) + 1970
    m = b.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (b - b.astype("datetime64[M]")).astype(np.int64) + 1
    digits = np.empty((n, 17), dtype=np.int64)
    r = region.astype(np.int64)
    for j in range(6):
        digits[:, j] = (r // 10 ** (5 - j)) % 10
    for j in range(4):
        digits[:, 6 + j] = (y // 10 ** (3 - j)) % 10
    digits[:, 10], digits[:, 11] = m // 10, m % 10
    digits[:, 12], digits[:, 13] = d // 10, d % 10
    for j in range(3):
        digits[:, 14 + j] = (seq // 10 ** (2 - j)) % 10
    check = (digits * np.array(WEIGHTS)).sum(axis=1) % 11
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = digits + ord("0")
    chars[:, 17] = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[check]
    return chars.view("S18").ravel().astype("U18"), taken
