"""Prints the positions astropy reads from a catalog file, as CSV (name,ra,dec), one row per source
in file order, full double precision. Used by the C# catalog tests as the independent reader.

usage: catalog_positions.py gammacat|3hwc|hipparcos PATH
"""
import sys

from astropy.io import ascii
from astropy.table import Table


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "gammacat":
        t = Table.read(path, hdu=1)
        names = [str(n).strip() for n in t["common_name"]]
    elif kind == "3hwc":
        t = Table.read(path, format="ascii.ecsv")
        names = [str(n).strip() for n in t["source_name"]]
    elif kind == "hipparcos":
        t = ascii.read(path, format="no_header", comment="#", names=["ra", "dec", "hip", "vmag", "bv"])
        names = [str(int(h)) for h in t["hip"]]
    else:
        raise SystemExit(f"unknown catalog kind {kind}")
    print("name,ra,dec")
    for n, ra, dec in zip(names, t["ra"], t["dec"]):
        # float32 columns widen exactly to float64; repr gives the shortest round-trip text
        print(f"\"{n}\",{float(ra)!r},{float(dec)!r}")


if __name__ == "__main__":
    main()
