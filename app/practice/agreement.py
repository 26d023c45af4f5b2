"""Rater agreement statistics for observed-practice marking. Pure: plain sequences in, numbers out.

For two raters' marks on the same criteria (pairs (a_i, b_i) on the integer scale lo..hi, k = hi - lo + 1
categories):

exact agreement      share of pairs with a = b
adjacent agreement   share of pairs with |a - b| <= 1 (exact included)
Cohen's kappa        κ = (p_o - p_e) / (1 - p_e), p_o the observed share of agreement and p_e the
                     agreement expected by chance from the two raters' marginal distributions
quadratic-weighted   κ_w = 1 - Σ w_ij O_ij / Σ w_ij E_ij with disagreement weights
Cohen's kappa        w_ij = (i - j)² / (k - 1)², O the observed k×k table of counts and E the table
                     expected from the marginals (E_ij = row_i × col_j / n). Near disagreements cost
                     little, far ones a lot, which suits an ordinal 1-7 scale (Cohen 1968; Fleiss &
                     Cohen 1973 show it equals the intraclass correlation in large samples).
severity / leniency  mean of (rater's mark - agreed mark): negative is severe, positive lenient.

A statistic that is undefined (no pairs; chance agreement of 1, when both raters give one and the same
mark throughout) is None, never NaN.

Rules of thumb (Landis & Koch 1977): κ 0.61-0.80 substantial, above 0.80 almost perfect. We flag a
rater for recalibration when their κ_w with co-markers is below KAPPA_RECALIBRATE, when their mean
difference from agreed marks is SEVERITY_FLAG or more either way, or when more than
MODERATION_SHARE_FLAG of their sittings needed moderation, and only with at least MIN_PAIRS pairs.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

KAPPA_RECALIBRATE = 0.6
SEVERITY_FLAG = 0.75
MODERATION_SHARE_FLAG = 0.3
MIN_PAIRS = 10

LOW_KAPPA, SEVERE, LENIENT, OFTEN_MODERATED = "low_agreement", "severe", "lenient", "often_moderated"


def _pairs(first: Sequence[float], second: Sequence[float]) -> list[tuple[float, float]]:
    if len(first) != len(second):
        raise ValueError(f"the raters have {len(first)} and {len(second)} marks: they must mark the same criteria")
    return list(zip(first, second, strict=True))


def exact_agreement(first: Sequence[float], second: Sequence[float]) -> float | None:
    pairs = _pairs(first, second)
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else None


def adjacent_agreement(first: Sequence[float], second: Sequence[float]) -> float | None:
    pairs = _pairs(first, second)
    return sum(abs(a - b) <= 1 for a, b in pairs) / len(pairs) if pairs else None


def _table(first: Sequence[int], second: Sequence[int], lo: int, hi: int) -> list[list[int]]:
    k = hi - lo + 1
    if k < 2:
        raise ValueError(f"a scale has at least 2 categories, not {lo}..{hi}")
    table = [[0] * k for _ in range(k)]
    for a, b in _pairs(first, second):
        if not (isinstance(a, int) and isinstance(b, int)) or not (lo <= a <= hi and lo <= b <= hi):
            raise ValueError(f"marks are whole numbers from {lo} to {hi}, not {a!r} and {b!r}")
        table[a - lo][b - lo] += 1
    return table


def weighted_kappa(first: Sequence[int], second: Sequence[int], *, lo: int = 1, hi: int = 7, weights: str = "quadratic") -> float | None:
    """Cohen's kappa with "quadratic", "linear" or "none" (unweighted) disagreement weights."""
    if weights not in ("quadratic", "linear", "none"):
        raise ValueError(f"weights are quadratic, linear or none, not {weights!r}")
    table = _table(first, second, lo, hi)
    n = sum(map(sum, table))
    if n == 0:
        return None
    k = len(table)
    rows = [sum(row) for row in table]
    cols = [sum(table[i][j] for i in range(k)) for j in range(k)]

    def weight(i, j):
        if weights == "none":
            return 0.0 if i == j else 1.0
        distance = abs(i - j) / (k - 1)
        return distance * distance if weights == "quadratic" else distance

    observed = sum(weight(i, j) * table[i][j] for i in range(k) for j in range(k)) / n
    expected = sum(weight(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / (n * n)
    if expected == 0:
        return None  # both raters used one and the same mark throughout: agreement by chance is certain
    return 1 - observed / expected


def severity(marks: Sequence[float], agreed: Sequence[float]) -> float | None:
    """Mean of (mark - agreed mark): below 0 the rater is severe, above 0 lenient."""
    pairs = _pairs(marks, agreed)
    return sum(a - b for a, b in pairs) / len(pairs) if pairs else None


@dataclass(frozen=True)
class RaterStatistics:
    pairs: int  # criteria marked alongside a co-marker
    exact: float | None  # with the co-marker
    adjacent: float | None
    kappa: float | None  # quadratic-weighted, with the co-marker
    exact_with_agreed: float | None
    severity: float | None  # mean difference from agreed marks
    sittings: int
    moderated: int  # of those, sittings that needed moderation
    flags: tuple[str, ...]

    @property
    def moderated_share(self) -> float | None:
        return self.moderated / self.sittings if self.sittings else None


def rater_statistics(mine: Sequence[int], theirs: Sequence[int], agreed: Sequence[float], *, sittings: int, moderated: int,
                     lo: int = 1, hi: int = 7) -> RaterStatistics:
    """A rater's agreement with their co-markers (mine[i] and theirs[i] are the same criterion of
    the same sitting) and with the agreed marks (agreed[i] for the same criterion)."""
    if not 0 <= moderated <= sittings:
        raise ValueError(f"moderated sittings are between 0 and {sittings}, not {moderated}")
    kappa = weighted_kappa(mine, theirs, lo=lo, hi=hi)
    bias = severity(mine, agreed)
    flags = []
    if len(mine) >= MIN_PAIRS:
        if kappa is not None and kappa < KAPPA_RECALIBRATE:
            flags.append(LOW_KAPPA)
        if bias is not None and bias <= -SEVERITY_FLAG:
            flags.append(SEVERE)
        if bias is not None and bias >= SEVERITY_FLAG:
            flags.append(LENIENT)
        if sittings and moderated / sittings > MODERATION_SHARE_FLAG:
            flags.append(OFTEN_MODERATED)
    return RaterStatistics(len(mine), exact_agreement(mine, theirs), adjacent_agreement(mine, theirs), kappa,
                           exact_agreement(mine, agreed), bias, sittings, moderated, tuple(flags))


# The rater-quality report -------------------------------------------------------------------------------

ALL_STATIONS = "All stations"
UNKNOWN_KIND = "unknown"  # a marked station that is not in the sitting's set version

Criterion = tuple[str, str]  # (station code, criterion id)


@dataclass(frozen=True)
class MarkedSitting:
    """An agreed sitting as plain values: each allocation's assessor and marks, in position order."""

    moderated: bool
    kinds: Mapping[str, str]  # station code -> kind of station
    agreed: Mapping[Criterion, float]
    markers: Sequence[tuple[int, Mapping[Criterion, int | None]]]  # (assessor id, their marks)


def rater_table(sittings: Iterable[MarkedSitting]) -> dict[tuple[int, str], RaterStatistics]:
    """Per (assessor id, scope), scope ALL_STATIONS or a kind of station: the rater's statistics over
    every criterion both markers of a double-marked sitting scored and that has an agreed mark.
    Sittings without exactly two markers are left out. The sittings and moderated counts are per
    assessor, over all their double-marked sittings."""
    pairs: dict[tuple[int, str], tuple[list[int], list[int], list[float]]] = {}
    counts: dict[int, list[int]] = {}
    for sitting in sittings:
        if len(sitting.markers) != 2:
            continue
        first, second = sitting.markers
        for (me, mine), (_, theirs) in ((first, second), (second, first)):
            tally = counts.setdefault(me, [0, 0])
            tally[0] += 1
            tally[1] += bool(sitting.moderated)
            for key, score in mine.items():
                if score is None or theirs.get(key) is None or key not in sitting.agreed:
                    continue
                for scope in (ALL_STATIONS, sitting.kinds.get(key[0], UNKNOWN_KIND)):
                    own, other, final = pairs.setdefault((me, scope), ([], [], []))
                    own.append(score)
                    other.append(theirs[key])
                    final.append(sitting.agreed[key])
    return {(me, scope): rater_statistics(own, other, final, sittings=counts[me][0], moderated=counts[me][1])
            for (me, scope), (own, other, final) in pairs.items()}
