"""The plan: parse, validate, store, search (by name and by meaning)."""

import os

# The meaning index's products are small (a question's few words against a few thousand): one
# BLAS thread. OpenBLAS's own threads spin between calls, costing the server CPU and memory for
# nothing. Set before numpy is first imported (this package imports it); an operator's own
# setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
