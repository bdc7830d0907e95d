"""The random stream of TensorFlow Playground: a port of seedrandom.js (ARC4, RC4-drop[256]).

The original seeds `Math.random` with `Math.seedrandom(seed)` and draws its data, its shuffle and
its initial weights from that one stream. Reproducing the stream bit for bit means a playground
link (its `seed`) gives exactly the same points and starting weights here as in the original.
"""

from __future__ import annotations

import math

_WIDTH = 256
_MASK = 255
_CHUNKS = 6
_START_DENOM = float(_WIDTH**_CHUNKS)
_SIGNIFICANCE = 2**52
_OVERFLOW = 2**53


def _key_from_seed(seed: str) -> list[int]:
    """mixkey(): fold the seed string into an ARC4 key, as seedrandom.js does."""
    key: dict[int, int] = {}
    smear = 0
    for j, char in enumerate(seed):
        smear ^= (key.get(j & _MASK, 0) * 19) & 0xFFFFFFFF
        key[j & _MASK] = _MASK & (smear + ord(char))
    return [key[i] for i in range(len(key))] or [0]


class SeedRandom:
    """A seeded uniform source with the same outputs as `Math.seedrandom(seed); Math.random()`."""

    def __init__(self, seed: str):
        key = _key_from_seed(str(seed))
        s = list(range(_WIDTH))
        j = 0
        for i in range(_WIDTH):
            t = s[i]
            j = _MASK & (j + key[i % len(key)] + t)
            s[i] = s[j]
            s[j] = t
        self._s, self._i, self._j = s, 0, 0
        self._bytes(_WIDTH)  # RC4-drop[256], as the original

    def _bytes(self, count: int) -> int:
        s, i, j, r = self._s, self._i, self._j, 0
        for _ in range(count):
            i = _MASK & (i + 1)
            t = s[i]
            j = _MASK & (j + t)
            s[i] = s[j]
            s[j] = t
            r = r * _WIDTH + s[_MASK & (s[i] + t)]
        self._i, self._j = i, j
        return r

    def random(self) -> float:
        """A double in [0, 1) with every mantissa bit random (seedrandom's prng())."""
        n, d, x = self._bytes(_CHUNKS), _START_DENOM, 0
        while n < _SIGNIFICANCE:
            n = (n + x) * _WIDTH
            d *= _WIDTH
            x = self._bytes(1)
        while n >= _OVERFLOW:
            n //= 2
            d /= 2
            x >>= 1
        return (n + x) / d

    def uniform(self, a: float, b: float) -> float:
        """randUniform(a, b) of dataset.ts."""
        return self.random() * (b - a) + a

    def normal(self, mean: float = 0.0, variance: float = 1.0) -> float:
        """normalRandom(mean, variance) of dataset.ts (polar Box-Muller, first value only)."""
        while True:
            v1 = 2 * self.random() - 1
            v2 = 2 * self.random() - 1
            s = v1 * v1 + v2 * v2
            if s <= 1:
                break
        # s == 0 gives -inf * 0 in the original (NaN); it has probability ~2^-104.
        result = math.sqrt(-2 * math.log(s) / s) * v1 if s > 0 else 0.0
        return mean + math.sqrt(variance) * result

    def state(self) -> tuple[list[int], int, int]:
        """A copy of the generator state, to draw the same numbers again later."""
        return (list(self._s), self._i, self._j)

    def restore(self, state: tuple[list[int], int, int]) -> None:
        self._s, self._i, self._j = list(state[0]), state[1], state[2]


def new_seed(source: SeedRandom) -> str:
    """A fresh seed string as the original makes one: `Math.random().toFixed(5)`."""
    return f"{source.random():.5f}"
