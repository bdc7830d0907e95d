"""The training engine: NumPy neural networks that reproduce TensorFlow Playground's math exactly.

Public API: `Run` (one session's data, network and training), `validate` / `usable` / `Config` /
`ConfigError` / `options` (the settings vocabulary), `weight_problems` / `bias_problems` (the check
of a hand-set weight or bias), `Metrics`, `Grids`, and `feature_maps` for input thumbnails; your
own data and models: `parse_csv` / `to_csv` / `DataError` (engine/userdata.py), `model_of` /
`run_from_model` (engine/modelfile.py) and `numpy_script` (engine/script.py); tables, data with
any number of inputs (engine/tables.py): `Table`, `TableError`, `real_table`, `from_arrays`,
`parse_table_csv`, `OWN_TABLE` (and `Run.from_arrays`).
The engine imports only NumPy and the standard library; it never prints or logs.
"""

from .config import DEFAULTS, LIMITS, Config, ConfigError, change_kind, options, usable, validate
from .edits import BIAS_FIELDS, WEIGHT_FIELDS, bias_problems, weight_problems
from .grids import Grids, feature_maps
from .run import Metrics, Run
from .modelfile import model_of, run_from_model, run_from_model_in_steps
from .script import numpy_script
from .tables import OWN_TABLE, Table, TableError, from_arrays, parse_table_csv, real_table
from .userdata import CUSTOM, DataError, parse_csv, to_csv

__all__ = ["BIAS_FIELDS", "CUSTOM", "DEFAULTS", "LIMITS", "WEIGHT_FIELDS", "Config", "ConfigError", "DataError",
           "Grids", "Metrics", "OWN_TABLE", "Run", "Table", "TableError", "bias_problems", "change_kind", "feature_maps", "model_of", "numpy_script",
           "from_arrays", "options", "parse_csv", "parse_table_csv", "real_table", "run_from_model", "run_from_model_in_steps", "to_csv", "usable", "validate",
           "weight_problems"]
