"""The directory built for the search tests (tests/data/directory_search) in a temporary database."""

from __future__ import annotations

import zlib

import numpy as np

from bot.directory.store import import_directory
from bot.knowledge.store import make_engine
from tests.conftest import TEST_DATA

SEARCH_DATA = TEST_DATA / "directory_search"
FILES = ("wexcombe.csv", "brindleford_oruk.json")
AREAS = ["Brindleford", "Upper Hadley", "Wexcombe Moor"]


def search_engine(folder, *extra):
    """A new SQLite database in ``folder`` holding the test directory (and ``extra`` inputs)."""
    engine = make_engine(f"sqlite:///{folder / 'search.db'}")
    for name in FILES:
        import_directory(engine, SEARCH_DATA / name)
    for path in extra:
        import_directory(engine, path)
    return engine


class WordEncoder:
    """A stand-in sentence encoder: texts that share words are close (a bag of hashed words, normalised),
    so meaning tests run without the model. ``calls`` counts the texts encoded."""

    dimensions = 256

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += len(texts)
        rows = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(",", " ").replace(".", " ").split():
                if len(word) > 3:
                    rows[row, zlib.crc32(word[:6].encode()) % self.dimensions] += 1.0  # hash() varies per process
            norm = np.linalg.norm(rows[row])
            rows[row] = rows[row] / norm if norm else rows[row]
        return rows
