"""The excess at a source position in one run's events, computed with astropy and gammapy 1.0.

Usage: scramble_excess.py EVENTS_FILE RA_PNT DEC_PNT RA_SRC DEC_SRC THETA

ON: events within THETA (deg) of the source. OFF: events whose offset r from the pointing is within
THETA of the source's offset d (|r - d| < THETA) and that are not ON. alpha = solid angle of the ON
circle / solid angle of that OFF ring. Significance: gammapy's WStatCountsStatistic (Li & Ma eq. 17).
Prints one JSON line {"on": n, "off": n, "alpha": a, "significance": s}.
"""
import json
import sys

import numpy as np
from astropy.coordinates import SkyCoord
from astropy.io import fits
from gammapy.stats import WStatCountsStatistic


def cap(radius_deg):
    return 2 * np.pi * (1 - np.cos(np.radians(radius_deg)))


def main(path, ra_pnt, dec_pnt, ra_src, dec_src, theta):
    events = fits.getdata(path, "EVENTS")
    sky = SkyCoord(events["RA"].astype(float), events["DEC"].astype(float), unit="deg")
    pointing = SkyCoord(ra_pnt, dec_pnt, unit="deg")
    source = SkyCoord(ra_src, dec_src, unit="deg")
    d = pointing.separation(source).deg
    r = pointing.separation(sky).deg
    on_mask = source.separation(sky).deg < theta
    off_mask = (np.abs(r - d) < theta) & ~on_mask
    alpha = cap(theta) / (cap(d + theta) - cap(max(0.0, d - theta)) - cap(theta))
    on, off = int(on_mask.sum()), int(off_mask.sum())
    significance = float(WStatCountsStatistic(on, off, alpha).sqrt_ts)
    print(json.dumps({"on": on, "off": off, "alpha": alpha, "significance": significance}))
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(main(a[0], *(float(x) for x in a[1:6])))
