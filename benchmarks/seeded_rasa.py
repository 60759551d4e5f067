"""Run the ``rasa`` command with Python's and NumPy's random generators seeded.

Rasa's NLU cross-validation splits folds with ``StratifiedKFold(shuffle=True)`` and no
``random_state``, so scikit-learn draws from NumPy's global generator and every run
scores different folds. Seeding that generator first makes a run repeatable.

Usage:  .venv/bin/python -m benchmarks.seeded_rasa --seed 1 test nlu --cross-validation ...
"""

from __future__ import annotations

import random
import sys

import numpy as np


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] != "--seed":
        raise SystemExit("usage: python -m benchmarks.seeded_rasa --seed N <rasa arguments>")
    seed = int(argv[1])
    random.seed(seed)
    np.random.seed(seed)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv[2:]]
    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
