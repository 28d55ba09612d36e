"""Re-points events with astropy's SkyOffsetFrame round trip and compares with ours.

Usage: repoint_skyoffset.py CSV
CSV columns (header line): ra_from dec_from ra_to dec_to ra dec ra_ours dec_ours (degrees).
Each event's offset-frame coordinates around (ra_from, dec_from) are taken as offset-frame
coordinates around (ra_to, dec_to) and turned back to ICRS. Prints the largest angular
difference to ours in degrees; exit 1 when it exceeds 1e-6.
"""
import sys

import numpy as np
import astropy.units as u
from astropy.coordinates import SkyCoord, SkyOffsetFrame


def main(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    worst = 0.0
    for key in sorted({(r[0], r[1], r[2], r[3]) for r in d}):
        rows = d[(d[:, 0] == key[0]) & (d[:, 1] == key[1]) & (d[:, 2] == key[2]) & (d[:, 3] == key[3])]
        src = SkyCoord(key[0] * u.deg, key[1] * u.deg, frame="icrs")
        dst = SkyCoord(key[2] * u.deg, key[3] * u.deg, frame="icrs")
        ev = SkyCoord(rows[:, 4] * u.deg, rows[:, 5] * u.deg, frame="icrs")
        off = ev.transform_to(SkyOffsetFrame(origin=src))
        moved = SkyCoord(off.lon, off.lat, frame=SkyOffsetFrame(origin=dst)).icrs
        ours = SkyCoord(rows[:, 6] * u.deg, rows[:, 7] * u.deg, frame="icrs")
        worst = max(worst, float(moved.separation(ours).deg.max()))
    print(f"max difference {worst:.3e} deg over {len(d)} events")
    return 0 if worst < 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
