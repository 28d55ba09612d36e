"""ALT/AZ of events against astropy's AltAz frame (refraction off: pressure = 0).

Usage:
  altaz_scrambled.py fill IN OUT     copy IN to OUT with the EVENTS ALT/AZ columns set to astropy's
                                     AltAz of each event's RA/DEC at its TIME (site GEOLON/GEOLAT/ALTITUDE)
  altaz_scrambled.py check ORIG OUT  compare OUT's ALT/AZ with astropy's AltAz of OUT's RA/DEC and TIME;
                                     events whose RA/DEC differ from ORIG's are the moved ones
Prints "moved N max_move_deg X max_err_moved_deg Y max_err_unmoved_deg Z".
"""
import sys
import warnings

import numpy as np
from astropy.utils import iers

iers.conf.auto_download = False
import astropy.units as u  # noqa: E402
from astropy.coordinates import AltAz, EarthLocation, SkyCoord  # noqa: E402
from astropy.io import fits  # noqa: E402
from astropy.time import Time  # noqa: E402


def altaz(header, table):
    loc = EarthLocation(lon=header["GEOLON"] * u.deg, lat=header["GEOLAT"] * u.deg, height=header["ALTITUDE"] * u.m)
    ref = Time(header["MJDREFI"] + header["MJDREFF"], format="mjd", scale=header.get("TIMESYS", "tt").lower())
    t = ref + np.asarray(table["TIME"], dtype=float) * u.s
    c = SkyCoord(np.asarray(table["RA"], dtype=float) * u.deg, np.asarray(table["DEC"], dtype=float) * u.deg)
    return c.transform_to(AltAz(obstime=t, location=loc, pressure=0 * u.hPa))


def fill(src, dst):
    with fits.open(src) as hdul:
        ev = hdul["EVENTS"]
        aa = altaz(ev.header, ev.data)
        ev.data["ALT"] = aa.alt.deg
        ev.data["AZ"] = aa.az.deg
        hdul.writeto(dst, overwrite=True)


def check(orig, out):
    with fits.open(orig) as a, fits.open(out) as b:
        ea, eb = a["EVENTS"].data, b["EVENTS"].data
        moved = (ea["RA"] != eb["RA"]) | (ea["DEC"] != eb["DEC"])
        aa = altaz(b["EVENTS"].header, eb)
        ours = SkyCoord(az=np.asarray(eb["AZ"], float) * u.deg, alt=np.asarray(eb["ALT"], float) * u.deg, frame="altaz")
        theirs = SkyCoord(az=aa.az, alt=aa.alt, frame="altaz")
        before = SkyCoord(az=np.asarray(ea["AZ"], float) * u.deg, alt=np.asarray(ea["ALT"], float) * u.deg, frame="altaz")
        err = ours.separation(theirs).deg
        move = before.separation(ours).deg
        print(f"moved {int(moved.sum())} max_move_deg {move[moved].max() if moved.any() else 0:.6g} "
              f"max_err_moved_deg {err[moved].max() if moved.any() else 0:.6g} "
              f"max_err_unmoved_deg {err[~moved].max() if (~moved).any() else 0:.6g}")


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    mode = sys.argv[1]
    if mode == "fill":
        fill(sys.argv[2], sys.argv[3])
    elif mode == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown mode {mode}")
