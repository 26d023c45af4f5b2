"""Differential item functioning (DIF) by the Mantel-Haenszel procedure (Holland & Thayer 1988).

Does an item favour one group over another among candidates of the same overall ability? The
candidates given the item are matched on total score and, within each score level (stratum k),
the item's right/wrong counts for the reference and the focal group form a 2×2 table:

                   right   wrong
    reference       A_k     B_k       N_k = A_k + B_k + C_k + D_k
    focal           C_k     D_k

Matching: the stratum is the attempt's total score rounded to integer marks (halves up),
including the studied item, as Holland & Thayer do. The item is dichotomised: right only at full
credit, so partial credit (per-option or ranking) counts as wrong. A stratum where either group is
absent carries no information about the difference and contributes nothing to any sum.

    α_MH = Σ (A_k D_k / N_k) / Σ (B_k C_k / N_k)            common odds ratio
    MH D-DIF = -2.35 · ln α_MH                               on the ETS delta scale

α_MH > 1 means the reference group's odds of a right answer are higher than matched focal
candidates', so a negative D-DIF favours the reference group (the item is harder for the focal group).

    MH χ² = (|Σ A_k - Σ E(A_k)| - ½)² / Σ Var(A_k),  E(A_k) = n_Rk m_1k / N_k,
            Var(A_k) = n_Rk n_Fk m_1k m_0k / (N_k² (N_k - 1))
with n_R, n_F the group sizes and m_1, m_0 the right and wrong totals in stratum k. The continuity
correction ½ is applied only when |Σ A - Σ E| >= ½, as R's mantelhaen.test does. p = erfc(sqrt(χ²/2)),
the upper tail of χ² with 1 df.

The standard error of ln α_MH is the Robins, Breslow & Greenland (1986) estimator: with
P_k = (A_k + D_k)/N_k, Q_k = (B_k + C_k)/N_k, R_k = A_k D_k/N_k, S_k = B_k C_k/N_k,
    Var(ln α_MH) = Σ P R / (2 (Σ R)²) + Σ (P S + Q R) / (2 Σ R Σ S) + Σ Q S / (2 (Σ S)²)
and SE(D-DIF) = 2.35 · SE(ln α_MH).

ETS classification (Zwick 2012, ETS RR-12-08):
    A  negligible: |D| < 1.0, or D not significantly different from 0 (MH χ² p >= 0.05)
    C  large: |D| >= 1.5 and |D| significantly greater than 1.0: (|D| - 1) / SE(D) > 1.645 (one-sided 5%)
    B  moderate: everything else.

Minimum group size: below MIN_DIF_GROUP candidates given the item in either group, no statistic is
computed or reported, nor the group sizes themselves: a small group can identify the people in it,
and its estimate is too unstable to act on. The result only says there were not enough candidates.
"""

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.psychometrics.responses import Responses
from app.scoring.items import MAX_ITEM_SCORE

MIN_DIF_GROUP = 100
DELTA_SCALE = 2.35  # ETS delta units per logit of the odds ratio (-2.35 ln α = 4/1.7 ln α)
SIGNIFICANCE = 0.05
ETS_A, ETS_B, ETS_C = "A", "B", "C"
NOT_ENOUGH_CANDIDATES = "not enough candidates"
FULL_CREDIT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class MantelHaenszel:
    odds_ratio: float | None  # α_MH
    log_odds_ratio_se: float | None  # Robins-Breslow-Greenland
    d_dif: float | None  # -2.35 ln α_MH; negative favours the reference group
    d_dif_se: float | None
    chi_square: float | None  # with continuity correction, 1 df
    p_value: float | None
    ets_class: str | None  # ETS_A, ETS_B or ETS_C
    strata: int  # strata where both groups are present
    reason: str | None  # why statistics are None


@dataclass(frozen=True)
class DifResult:
    item_id: Hashable
    variable: str | None  # e.g. "sex"; None for a comparison given by masks
    reference: Hashable | None
    focal: Hashable | None
    reference_n: int | None  # candidates given the item; None when suppressed
    focal_n: int | None
    statistics: MantelHaenszel | None  # None when suppressed
    reason: str | None  # NOT_ENOUGH_CANDIDATES (and who) when suppressed

    @property
    def suppressed(self) -> bool:
        return self.statistics is None


def mantel_haenszel(tables: np.ndarray) -> MantelHaenszel:
    """The Mantel-Haenszel statistics for K strata of 2×2 tables, shape (K, 2, 2):
    tables[k] = [[A_k, B_k], [C_k, D_k]] (rows reference, focal; columns right, wrong)."""
    tables = np.asarray(tables, dtype=np.float64)
    if tables.ndim != 3 or tables.shape[1:] != (2, 2):
        raise ValueError(f"tables has shape (strata, 2, 2), not {tables.shape}")
    if np.any(tables < 0) or not np.all(np.isfinite(tables)):
        raise ValueError("tables holds counts: finite and at least 0")
    return _statistics(_sums(tables[np.newaxis]), 0)


def _sums(tables: np.ndarray) -> dict[str, np.ndarray]:
    """The sums the statistics need, for tables of shape (items, K, 2, 2), summed over strata."""
    a, b, c, d = tables[..., 0, 0], tables[..., 0, 1], tables[..., 1, 0], tables[..., 1, 1]
    n_ref, n_foc = a + b, c + d
    used = (n_ref > 0) & (n_foc > 0)
    n = np.where(used, n_ref + n_foc, 1.0)  # unused strata: every term below is then 0
    a, b, c, d = (np.where(used, x, 0.0) for x in (a, b, c, d))
    n_ref, n_foc = a + b, c + d
    right, wrong = a + c, b + d
    big_r, big_s = a * d / n, b * c / n
    p, q = (a + d) / n, (b + c) / n
    variance = np.where(n > 1, n_ref * n_foc * right * wrong / (n * n * np.maximum(n - 1, 1)), 0.0)
    return {
        "strata": used.sum(axis=-1), "R": big_r.sum(axis=-1), "S": big_s.sum(axis=-1),
        "PR": (p * big_r).sum(axis=-1), "PS_QR": (p * big_s + q * big_r).sum(axis=-1), "QS": (q * big_s).sum(axis=-1),
        "A": a.sum(axis=-1), "E": (n_ref * right / n).sum(axis=-1), "V": variance.sum(axis=-1),
    }


def _statistics(sums: dict[str, np.ndarray], index: int) -> MantelHaenszel:
    """One item's statistics from the summed arrays."""
    strata = int(sums["strata"][index])
    big_r, big_s, variance = (float(sums[name][index]) for name in ("R", "S", "V"))
    if strata == 0:
        return MantelHaenszel(None, None, None, None, None, None, None, 0, "no score level has both groups")
    chi_square = p_value = None
    if variance > 0:
        delta = abs(float(sums["A"][index]) - float(sums["E"][index]))
        chi_square = (delta - (0.5 if delta >= 0.5 else 0.0)) ** 2 / variance
        p_value = math.erfc(math.sqrt(chi_square / 2))
    if big_r == 0 or big_s == 0:
        reason = "the odds ratio is 0 or infinite: in every matched score level one group was all right or all wrong"
        return MantelHaenszel(None, None, None, None, chi_square, p_value, None, strata, reason)
    odds_ratio = big_r / big_s
    log_variance = (float(sums["PR"][index]) / (2 * big_r ** 2) + float(sums["PS_QR"][index]) / (2 * big_r * big_s)
                    + float(sums["QS"][index]) / (2 * big_s ** 2))
    se = math.sqrt(log_variance)
    d_dif = -DELTA_SCALE * math.log(odds_ratio)
    d_se = DELTA_SCALE * se
    return MantelHaenszel(odds_ratio=odds_ratio, log_odds_ratio_se=se, d_dif=d_dif, d_dif_se=d_se, chi_square=chi_square,
                          p_value=p_value, ets_class=ets_class(d_dif, d_se, p_value), strata=strata, reason=None)


def ets_class(d_dif: float, d_dif_se: float, p_value: float | None) -> str:
    """ETS A, B or C from D-DIF, its SE and the MH chi-square p-value (see the module docstring).
    A p-value of None (no variance under the null) is not significant, so the item is A."""
    size = abs(d_dif)
    if size < 1.0 or p_value is None or p_value >= SIGNIFICANCE:
        return ETS_A
    if size >= 1.5 and d_dif_se > 0 and (size - 1.0) / d_dif_se > 1.645:
        return ETS_C
    return ETS_B


def dif_item(responses: Responses, item_id: Hashable, reference: np.ndarray, focal: np.ndarray, *,
             min_group: int = MIN_DIF_GROUP) -> DifResult:
    """Mantel-Haenszel DIF for one item; `reference` and `focal` are boolean masks, one per attempt."""
    reference, focal = _mask(reference, responses), _mask(focal, responses)
    if np.any(reference & focal):
        raise ValueError("an attempt is in both the reference and the focal group")
    group = np.where(reference, 0, np.where(focal, 1, -1))
    index = responses.item_index(item_id)
    tables, sizes = _tables(responses, group, 0, 1)
    return _result(responses, index, tables, sizes, None, None, None, min_group, sums=_sums(tables[[index]]), row=0)


def dif_all(responses: Responses, groups: Mapping[str, Sequence[Hashable | None]], *,
            reference: Mapping[str, Hashable] | None = None, min_group: int = MIN_DIF_GROUP) -> tuple[DifResult, ...]:
    """DIF for every item given to anyone, for every group variable, each focal group against the
    reference group: `reference[variable]` if named, else the largest group (ties: the first label
    in sorted order of str(label)). `groups[variable]` has one label per attempt, None for unknown
    (left out of every comparison). A comparison with fewer than `min_group` candidates given the
    item in either group is suppressed."""
    if min_group < 1:
        raise ValueError(f"min_group is at least 1, not {min_group}")
    reference = dict(reference or {})
    if unknown := set(reference) - set(groups):
        raise ValueError(f"reference groups named for unknown variables {sorted(unknown)}")
    results = []
    for variable, labels in groups.items():
        labels = list(labels)
        if len(labels) != responses.n_attempts:
            raise ValueError(f"{variable}: {len(labels)} labels for {responses.n_attempts} attempts")
        codes: dict[Hashable, int] = {}
        group = np.array([-1 if label is None else codes.setdefault(label, len(codes)) for label in labels], dtype=np.int64)
        sizes = np.bincount(group[group >= 0], minlength=len(codes))
        if variable in reference:
            reference_label = reference[variable]
        elif codes:
            reference_label = min(codes, key=lambda label: (-sizes[codes[label]], str(label)))
        else:
            continue
        reference_code = codes.get(reference_label, -2)  # -2: named but absent, so every comparison is suppressed
        for focal_label in sorted((label for label in codes if label != reference_label), key=str):
            tables, item_sizes = _tables(responses, group, reference_code, codes[focal_label])
            sums = _sums(tables)
            for index in np.flatnonzero(np.bincount(responses.item, minlength=responses.n_items)).tolist():
                results.append(_result(responses, index, tables, item_sizes, variable, reference_label, focal_label,
                                       min_group, sums=sums, row=index))
    return tuple(results)


def _tables(responses: Responses, group: np.ndarray, reference_code: int, focal_code: int) -> tuple[np.ndarray, np.ndarray]:
    """2×2×K tables for every item at once, shape (items, strata, 2, 2), and group sizes per item,
    shape (items, 2), from one bincount over the rows of the two groups."""
    r = responses
    row_group = group[r.attempt]
    rows = (row_group == reference_code) | (row_group == focal_code)
    focal = (row_group[rows] == focal_code).astype(np.int64)
    stratum = np.floor(r.totals + 0.5).astype(np.int64)[r.attempt[rows]]
    wrong = (r.score[rows] < MAX_ITEM_SCORE - FULL_CREDIT_TOLERANCE).astype(np.int64)
    n_strata = int(stratum.max()) + 1 if stratum.size else 1
    cell = ((r.item[rows] * n_strata + stratum) * 2 + focal) * 2 + wrong
    tables = np.bincount(cell, minlength=r.n_items * n_strata * 4).reshape(r.n_items, n_strata, 2, 2).astype(np.float64)
    sizes = tables.sum(axis=(1, 3)).astype(np.int64)
    return tables, sizes


def _result(responses: Responses, index: int, tables: np.ndarray, sizes: np.ndarray, variable: str | None,
            reference: Hashable | None, focal: Hashable | None, min_group: int, *, sums: dict, row: int) -> DifResult:
    item_id = responses.item_ids[index]
    reference_n, focal_n = (int(size) for size in sizes[index])
    if min(reference_n, focal_n) < min_group:
        small = [name for name, size in (("reference", reference_n), ("focal", focal_n)) if size < min_group]
        reason = f"{NOT_ENOUGH_CANDIDATES}: fewer than {min_group} given the item in the {' and '.join(small)} group"
        return DifResult(item_id, variable, reference, focal, None, None, None, reason)
    return DifResult(item_id, variable, reference, focal, reference_n, focal_n, _statistics(sums, row), None)


def _mask(values: np.ndarray, responses: Responses) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype != bool or values.shape != (responses.n_attempts,):
        raise ValueError(f"a group is a boolean array with one entry per attempt ({responses.n_attempts})")
    return values
