"""Independent check of FITS files written by GammapyTools, with astropy.

Usage: compare_fits.py ORIGINAL WRITTEN [ORIGINAL WRITTEN ...]

For each pair: the same HDUs (names, kinds), every header keyword with the same value (except
CHECKSUM/DATASUM, which we always rewrite), every table column with the same name, format, unit,
dimensions and identical values (NaN equal to NaN), images identical; and the written file's
checksums verified by astropy. Prints one line per problem and exits 1 if there are any.
"""
import sys
import warnings

import numpy as np
from astropy.io import fits

IGNORED = {"CHECKSUM", "DATASUM", "LONGSTRN"}


def header_values(h):
    out = {}
    for card in h.cards:
        if card.keyword in ("COMMENT", "HISTORY", "") or card.keyword in IGNORED:
            continue
        out[card.keyword] = card.value
    return out


def same_values(a, b):
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a.shape == b.shape and np.array_equal(a, b)


def compare(orig_path, ours_path):
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checksum mismatch is a warning in astropy
        try:
            ours = fits.open(ours_path, checksum=True)
            ours.verify("exception")
        except Exception as e:  # noqa: BLE001 - report any failure as a problem
            return [f"{ours_path}: astropy cannot open or verify it: {e}"]
    if not all(h._checksum_valid and h._datasum_valid for h in ours):
        return [f"{ours_path}: astropy finds a CHECKSUM or DATASUM that does not match"]
    orig = fits.open(orig_path)
    if len(orig) != len(ours):
        problems.append(f"{ours_path}: {len(ours)} HDUs, original {len(orig)}")
    for i, (a, b) in enumerate(zip(orig, ours)):
        where = f"{ours_path}[{i}]"
        if type(a) is not type(b):
            problems.append(f"{where}: kind {type(b).__name__}, original {type(a).__name__}")
            continue
        ha, hb = header_values(a.header), header_values(b.header)
        for k, v in ha.items():
            if k not in hb:
                problems.append(f"{where}: keyword {k} missing")
            elif v != hb[k] and not (isinstance(v, float) and np.isnan(v)):
                problems.append(f"{where}: {k} = {hb[k]!r}, original {v!r}")
        for k in hb:
            if k not in ha:
                problems.append(f"{where}: extra keyword {k}")
        if [c for c in a.header.get("HISTORY", [])] != [c for c in b.header.get("HISTORY", [])]:
            problems.append(f"{where}: HISTORY differs")
        if isinstance(a, fits.BinTableHDU):
            ca, cb = a.columns, b.columns
            if ca.names != cb.names:
                problems.append(f"{where}: columns {cb.names}, original {ca.names}")
                continue
            for name in ca.names:
                xa, xb = ca[name], cb[name]
                for attr in ("format", "unit", "dim", "bscale", "bzero", "null"):
                    va, vb = getattr(xa, attr), getattr(xb, attr)
                    if str(va).replace(" ", "") != str(vb).replace(" ", "") and not (attr == "format" and str(va)[:2] == str(vb)[:2] and "P" in str(va)):
                        problems.append(f"{where}: column {name} {attr} {vb!r}, original {va!r}")
                da, db = a.data[name], b.data[name]
                if da.dtype == object or db.dtype == object:  # variable-length arrays
                    if len(da) != len(db) or any(not same_values(np.asarray(p), np.asarray(q)) for p, q in zip(da, db)):
                        problems.append(f"{where}: column {name} values differ")
                elif not same_values(np.asarray(da), np.asarray(db)):
                    problems.append(f"{where}: column {name} values differ")
        elif isinstance(a, (fits.PrimaryHDU, fits.ImageHDU)):
            if (a.data is None) != (b.data is None) or (a.data is not None and not same_values(a.data, b.data)):
                problems.append(f"{where}: image data differ")
    return problems


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__)
        return 2
    problems = []
    pairs = list(zip(argv[0::2], argv[1::2]))
    for orig, ours in pairs:
        problems += compare(orig, ours)
    for p in problems:
        print(p)
    print(f"compared {len(pairs)} file(s): {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
