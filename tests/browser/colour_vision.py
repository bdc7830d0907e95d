"""Colour maths for checking the page's palettes: sRGB → CIELAB, CIEDE2000 colour differences, and
the three dichromacies as Machado, Oliveira & Fernandes (2009) simulate them at severity 1
(their matrices, applied to linear RGB). Used by tests/browser/test_page_colours.py and by
scripts/class_palette.py, which chose the class colours."""

from __future__ import annotations

import numpy as np

# Machado et al. 2009, Table 1, severity 1.0 (linear RGB in, linear RGB out).
DICHROMACIES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = ("normal", *DICHROMACIES)

_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                         [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE = _SRGB_TO_XYZ.sum(axis=1)  # D65, as sRGB's white


def hex_rgb(colour: str) -> np.ndarray:
    """'#rrggbb' → [r, g, b] in 0..255."""
    value = colour.lstrip("#")
    return np.array([int(value[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def to_linear(rgb) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def from_linear(linear) -> np.ndarray:
    c = np.clip(linear, 0, 1)
    return 255 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb, vision: str) -> np.ndarray:
    """How an sRGB colour (0..255, any leading shape) looks with the given vision, as sRGB."""
    rgb = np.asarray(rgb, dtype=float)
    if vision == "normal":
        return rgb
    return from_linear(to_linear(rgb) @ DICHROMACIES[vision].T)


def lab(rgb) -> np.ndarray:
    """sRGB (0..255) → CIELAB (D65)."""
    xyz = to_linear(rgb) @ _SRGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def ciede2000(lab1, lab2, k_l: float = 1) -> np.ndarray:
    """CIEDE2000 difference of CIELAB colours (kC = kH = 1), as Sharma, Wu & Dalal (2005); a
    larger `k_l` counts lightness for less (an infinite one leaves chroma and hue alone)."""
    lab1, lab2 = np.broadcast_arrays(np.asarray(lab1, dtype=float), np.asarray(lab2, dtype=float))
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dL = L2 - L1
    dC = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    L_mean = (L1 + L2) / 2
    cp_mean = (c1p + c2p) / 2
    h_sum = h1p + h2p
    hp_mean = np.where(np.abs(h1p - h2p) <= 180, h_sum / 2, np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2))
    hp_mean = np.where(c1p * c2p == 0, h_sum, hp_mean)
    t = (1 - 0.17 * np.cos(np.radians(hp_mean - 30)) + 0.24 * np.cos(np.radians(2 * hp_mean))
         + 0.32 * np.cos(np.radians(3 * hp_mean + 6)) - 0.20 * np.cos(np.radians(4 * hp_mean - 63)))
    s_l = 1 + 0.015 * (L_mean - 50) ** 2 / np.sqrt(20 + (L_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = (-2 * np.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25.0 ** 7))
           * np.sin(np.radians(60 * np.exp(-(((hp_mean - 275) / 25) ** 2)))))
    return np.sqrt((dL / (k_l * s_l)) ** 2 + (dC / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dC / s_c) * (dH / s_h))


def difference(rgb1, rgb2, vision: str = "normal") -> np.ndarray:
    """CIEDE2000 between two sRGB colours as someone with `vision` sees them."""
    return ciede2000(lab(simulate(rgb1, vision)), lab(simulate(rgb2, vision)))


MAP_OPACITY = 160 / 255


def over_white(rgb, opacity: float = MAP_OPACITY) -> np.ndarray:
    """A colour painted at `opacity` over white, as the page paints its maps."""
    return 255 + (np.asarray(rgb, dtype=float) - 255) * opacity
