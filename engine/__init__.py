"""The training engine: NumPy neural networks that reproduce TensorFlow Playground's math exactly.

Public API: `Run` (one session's data, network and training), `validate` / `usable` / `Config` /
`ConfigError` / `options` (the settings vocabulary), `weight_problems` / `bias_problems` (the check
of a hand-set weight or bias), `Metrics`, `Grids`, and `feature_maps` for input thumbnails.
The engine imports only NumPy and the standard library; it never prints or logs.
"""

from .config import DEFAULTS, LIMITS, Config, ConfigError, change_kind, options, usable, validate
from .edits import BIAS_FIELDS, WEIGHT_FIELDS, bias_problems, weight_problems
from .grids import Grids, feature_maps
from .run import Metrics, Run

__all__ = ["BIAS_FIELDS", "DEFAULTS", "LIMITS", "WEIGHT_FIELDS", "Config", "ConfigError", "Grids", "Metrics",
           "Run", "bias_problems", "change_kind", "feature_maps", "options", "usable", "validate",
           "weight_problems"]
