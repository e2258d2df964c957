"""The fuzz suite (tests/test_fuzz.py) with a release budget: thousands of examples per endpoint,
random rather than the seeded CI set, so each run looks somewhere new.

    uv run python bench/fuzz.py                # 5,000 examples per endpoint (about 10 minutes)
    uv run python bench/fuzz.py --examples 20000

A failure prints Hypothesis's smallest failing request; add it to tests/test_edge_checks.py as a
regression test before fixing it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per endpoint (default 5000)")
    args, rest = parser.parse_known_args()
    os.environ["DXBOT_FUZZ_EXAMPLES"] = str(args.examples)  # above 1000: random, not derandomized
    os.chdir(ROOT)
    return int(pytest.main(["-q", "-p", "no:cacheprovider", "tests/test_fuzz.py", *rest]))


if __name__ == "__main__":
    sys.exit(main())
