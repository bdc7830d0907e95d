"""Choose the multi-class colours (static/js/colors.js CLASS_COLORS) by numbers, not by eye.

Candidates: Paul Tol's qualitative palettes, Okabe–Ito's, and an N×N×N sRGB grid, less those
that are grey, near-black, near-white, or an orange or a blue of another lightness. Each is scored
as the page uses it, in CIEDE2000, under normal vision and the three simulated dichromacies
(tests/browser/colour_vision.py):
  - as a point fill and as a map tint (the full-confidence class colour at alpha 160/255 over
    white) against every other class colour used the same way;
  - against the weight scale's orange and blue, as fills and as tints, so a class never looks
    like a sign, and as a tint against the map's toss-up near-white.
Tint differences count 1 / 0.6 times (painting at 63 % opacity shrinks every difference). The six
whose smallest score is largest win (an exact search: binary search on the threshold, a clique
search at each), then are ordered so every prefix (3, 4, 5 classes) keeps as much as it can.

    python scripts/class_palette.py              # about half a minute
    python scripts/class_palette.py --grid 0     # the named palettes only
    python scripts/class_palette.py --check '#aa3377,#228833,...'   # score one palette
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
from colour_vision import VISIONS, ciede2000, difference, hex_rgb, lab, over_white  # noqa: E402

ORANGE, NEAR_WHITE, BLUE = hex_rgb("#f59322"), hex_rgb("#e8eaeb"), hex_rgb("#0877bd")

NAMED = {
    "tol-bright": "#4477aa #66ccee #228833 #ccbb44 #ee6677 #aa3377",
    "tol-vibrant": "#0077bb #33bbee #009988 #ee7733 #cc3311 #ee3377",
    "tol-muted": "#332288 #88ccee #44aa99 #117733 #999933 #ddcc77 #cc6677 #882255 #aa4499",
    "tol-high-contrast": "#ddaa33 #bb5566 #004488",
    "tol-medium-contrast": "#eecc66 #ee99aa #6699cc #997700 #994455 #004488",
    "tol-light": "#77aadd #ee8866 #eedd88 #ffaabb #99ddff #44bb99 #bbcc33 #aaaa00",
    "okabe-ito": "#000000 #e69f00 #56b4e9 #009e73 #f0e442 #0072b2 #d55e00 #cc79a7",
}


def hex_of(rgb) -> str:
    return "#" + "".join(f"{int(round(c)):02x}" for c in rgb)


TINT = 0.6  # a tint's differences count as if 1 / 0.6 larger: the map's alpha shrinks them all


def eligible(rgb: np.ndarray) -> np.ndarray:
    """Colours worth trying: coloured (chroma > 20), neither near-black nor near-white (L* 25..92),
    and not an orange or a blue of another lightness (chroma-and-hue CIEDE2000 to each weight end
    at least 20 under normal vision, so a class never reads as a sign)."""
    colour = lab(rgb)
    chroma = np.hypot(colour[:, 1], colour[:, 2])
    hue_gap = np.minimum(ciede2000(colour, lab(ORANGE), k_l=np.inf), ciede2000(colour, lab(BLUE), k_l=np.inf))
    return (chroma > 20) & (colour[:, 0] > 25) & (colour[:, 0] < 92) & (hue_gap >= 20)


def single_scores(rgb: np.ndarray) -> np.ndarray:
    """Per colour: its smallest difference from the weight scale's ends (as fills and as tints)
    and, as a tint, from the map's toss-up near-white, over all four visions."""
    tint = over_white(rgb)
    worst = np.full(len(rgb), np.inf)
    for vision in VISIONS:
        for end in (ORANGE, BLUE):
            worst = np.minimum(worst, difference(rgb, end, vision))
            worst = np.minimum(worst, difference(tint, over_white(end), vision) / TINT)
        worst = np.minimum(worst, difference(tint, over_white(NEAR_WHITE), vision) / TINT)
    return worst


def pair_scores(rgb: np.ndarray) -> np.ndarray:
    """Per pair of colours: their smallest difference as fills and as tints, over all visions."""
    tint = over_white(rgb)
    worst = np.full((len(rgb), len(rgb)), np.inf)
    for vision in VISIONS:
        worst = np.minimum(worst, difference(rgb[:, None], rgb[None], vision))
        worst = np.minimum(worst, difference(tint[:, None], tint[None], vision) / TINT)
    np.fill_diagonal(worst, np.inf)
    return worst


def report(palette: list[str]) -> dict[str, tuple[float, ...]]:
    """The smallest differences of a palette, per vision and per use."""
    rgb = np.array([hex_rgb(c) for c in palette])
    tint = over_white(rgb)
    upper = np.triu_indices(len(rgb), 1)
    rows = {}
    for vision in VISIONS:
        rows[vision] = (
            difference(rgb[:, None], rgb[None], vision)[upper].min(),
            difference(tint[:, None], tint[None], vision)[upper].min(),
            min(difference(rgb, end, vision).min() for end in (ORANGE, BLUE)),
            min(difference(tint, over_white(end), vision).min() for end in (ORANGE, BLUE)),
            difference(tint, over_white(NEAR_WHITE), vision).min(),
        )
    return rows


def best_clique(pairs: np.ndarray, ok: np.ndarray, k: int, threshold: float) -> list[int] | None:
    """k candidates, all `ok`, every pair at least `threshold` apart (a plain clique search)."""
    nodes = [i for i in range(len(ok)) if ok[i]]
    adjacent = pairs >= threshold

    def grow(chosen: list[int], rest: list[int]) -> list[int] | None:
        if len(chosen) == k:
            return chosen
        for n, node in enumerate(rest):
            if len(chosen) + len(rest) - n < k:
                return None
            found = grow(chosen + [node], [m for m in rest[n + 1:] if adjacent[node, m]])
            if found:
                return found
        return None

    return grow([], nodes)


def maximin(rgb: np.ndarray, k: int) -> tuple[float, list[int]]:
    """The k colours whose smallest score (single or pair) is largest: a search on the threshold."""
    single, pairs = single_scores(rgb), pair_scores(rgb)
    values = np.unique(np.concatenate([single, pairs[np.isfinite(pairs)]]))
    lo, hi, best = 0, len(values) - 1, None
    while lo <= hi:  # the largest threshold that still admits k colours
        mid = (lo + hi) // 2
        found = best_clique(pairs, single >= values[mid], k, values[mid])
        if found:
            best, lo = (values[mid], found), mid + 1
        else:
            hi = mid - 1
    return best


def order(rgb: np.ndarray, chosen: list[int]) -> list[int]:
    """Order the chosen colours so each prefix (3 classes, then 4, 5) keeps the largest smallest
    pair score; for these few, hues also count (normal vision, chroma and hue only), so three
    classes are three nameable colours rather than a dark and a light one of the same."""
    colours = rgb[chosen]
    hues = ciede2000(lab(colours)[:, None], lab(colours)[None], k_l=np.inf)
    np.fill_diagonal(hues, np.inf)
    pairs = np.minimum(pair_scores(colours), hues)
    first = max(itertools.combinations(range(len(chosen)), 3),
                key=lambda c: min(pairs[a, b] for a, b in itertools.combinations(c, 2)))
    ranked = list(first)
    while len(ranked) < len(chosen):
        ranked.append(max((i for i in range(len(chosen)) if i not in ranked),
                          key=lambda i: min(pairs[i, j] for j in ranked)))
    return [chosen[i] for i in ranked]


def show(palette: list[str]) -> None:
    print("  " + " ".join(palette))
    print("  smallest CIEDE2000: between classes as fills and as tints; class vs weight end, as")
    print("  fills and as tints; class tint vs the toss-up near-white")
    print(f"  {'vision':13} {'fills':>6} {'tints':>6} {'vs weight':>9} {'(tints)':>7} {'vs white':>8}")
    for vision, row in report(palette).items():
        print(f"  {vision:13} " + " ".join(f"{v:{w}.1f}" for v, w in zip(row, (6, 6, 9, 7, 8))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", type=int, default=16, help="also search an N×N×N sRGB grid (0: named only)")
    parser.add_argument("--check", help="comma-separated palette to score")
    parser.add_argument("-k", type=int, default=6)
    args = parser.parse_args()
    if args.check:
        show(args.check.split(","))
        return
    names = sorted({c for palette in NAMED.values() for c in palette.split()})
    candidates = [hex_rgb(c) for c in names]
    if args.grid:
        steps = np.linspace(0, 255, args.grid)
        candidates += [np.array(c) for c in itertools.product(steps, repeat=3)]
    rgb = np.array(candidates)
    rgb = rgb[eligible(rgb)]
    score, chosen = maximin(rgb, args.k)
    palette = [hex_of(rgb[i]) for i in order(rgb, chosen)]
    print(f"best smallest CIEDE2000 over {len(rgb)} candidates: {score:.1f}")
    show(palette)


if __name__ == "__main__":
    main()
