"""The training engine: NumPy neural networks that reproduce TensorFlow Playground's math exactly.

Public API: `Run` (one session's data, network and training), `validate` / `ConfigError` /
`options` (the settings vocabulary), `Metrics`, `Grids`, and `feature_maps` for input thumbnails.
The engine imports only NumPy and the standard library; it never prints or logs.
"""

from .config import DEFAULTS, LIMITS, ConfigError, change_kind, options, validate
from .grids import Grids, feature_maps
from .run import Metrics, Run

__all__ = ["DEFAULTS", "LIMITS", "ConfigError", "Grids", "Metrics", "Run", "change_kind",
           "feature_maps", "options", "validate"]
