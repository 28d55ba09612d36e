"""Checks, with astropy, the all-types table written by FitsTypesTests.AllTypesTable (keep in step)."""
import math
import sys
import warnings

import numpy as np
from astropy.io import fits

ROWS = 5


def main(path):
    problems = []

    def check(name, got, want):
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape or not np.array_equal(got, want):
            problems.append(f"{name}: astropy reads {got.tolist()}, expected {want.tolist()}")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hdul = fits.open(path, checksum=True)
        hdul.verify("exception")
    t = hdul["ALLTYPES"].data
    r = np.arange(ROWS)
    check("L", t["L"], r % 2 == 0)
    bits = np.unpackbits(np.array([(i * 17) % 256 if i % 2 == 0 else (i * 17) & 0xF0 for i in range(ROWS * 2)], dtype=np.uint8).reshape(ROWS, 2), axis=1)[:, :12].astype(bool)
    check("X", t["X"], bits)
    check("B", t["B"], (250 + r).astype(np.uint8))
    check("SB", t["SB"], (-3 + r).astype(np.int8))
    check("I", t["I"], -300 * r)
    check("UI", t["UI"], (65535 - r).astype(np.uint16))
    check("J", t["J"], -70000 * r)
    check("UJ", t["UJ"], (4294967295 - r).astype(np.uint32))
    check("K", t["K"], np.iinfo(np.int64).min + r)
    check("UK", t["UK"], (np.uint64(2**64 - 1) - r.astype(np.uint64)))
    check("A", t["A"], ["x" * i + "y" for i in r])
    check("E", t["E"], (np.arange(ROWS * 6, dtype=np.float32) * 0.25).reshape(ROWS, 2, 3))
    check("D", t["D"], math.pi * r)
    check("C", t["C"], np.arange(0, ROWS * 2, 2) + 1j * np.arange(1, ROWS * 2, 2))
    check("M", t["M"], (-np.arange(ROWS * 4, dtype=float)).reshape(ROWS, 2, 2) @ np.array([1, 1j]))
    for i in r:
        check(f"PE[{i}]", t["PE"][i], np.arange(i, 2 * i, dtype=np.float32))
        check(f"QJ[{i}]", t["QJ"][i], np.arange(0, 2 * i))
    check("SCALED", t["SCALED"], 10 + 0.5 * r)
    check("NULLED", hdul["ALLTYPES"].columns["NULLED"].null, -99)
    check("LONGSTR", hdul["ALLTYPES"].header["LONGSTR"], "0123456789" * 12)
    check("E unit", hdul["ALLTYPES"].columns["E"].unit, "deg")
    for p in problems:
        print(p)
    print(f"all-types table: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
