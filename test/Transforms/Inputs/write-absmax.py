"""Writes a calibration-statistics .npz (the format of linea-run
--collect-stats) holding only max |x| per channel, for lit tests that need
exact statistics:  write-absmax.py OUT.npz name=a,b,c [name=...]"""

import sys

import numpy as np

entries = {}
for spec in sys.argv[2:]:
    name, values = spec.split("=", 1)
    entries[f"{name}.absmax"] = np.array([float(v) for v in values.split(",")], np.float32)
    entries[f"{name}.tokens"] = np.array(1, np.int64)
np.savez(sys.argv[1], **entries)
