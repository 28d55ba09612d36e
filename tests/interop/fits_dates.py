"""astropy's reading of FITS dates, the oracle of FitsTimeTests.

Usage: fits_dates.py CASES.json — a list of cases, each one of
  {"date": "...", "time": "..." or null}                     a DATE-OBS string (+ TIME-OBS, joined with "T")
  {"mjd": x, "timesys": "UTC" or null}                       MJD-OBS on TIMESYS (default UTC)
  {"met": x, "mjdrefi": i, "mjdreff": f, "mjdref": m, "timesys": s, "timeunit": u}
                                                             TSTART from MJDREF (default TT, s)
Prints one line per case: the UTC instant as ISO with 6 decimals, or "None" when astropy refuses it.
"""
import json
import sys
import warnings

import astropy.units as u
from astropy.time import Time

UNITS = {"s": u.s, "min": u.min, "h": u.h, "d": u.d}


def one(case):
    if "date" in case:
        text = case["date"].strip()
        if "T" not in text and case.get("time"):
            text += "T" + case["time"].strip()
        t = Time(text, format="fits")
    elif "mjd" in case:
        t = Time(case["mjd"], format="mjd", scale=(case.get("timesys") or "UTC").lower())
    else:
        if case.get("mjdrefi") is not None:
            ref = Time(case["mjdrefi"], case.get("mjdreff") or 0.0, format="mjd", scale=(case.get("timesys") or "TT").lower())
        else:
            ref = Time(case["mjdref"], format="mjd", scale=(case.get("timesys") or "TT").lower())
        t = ref + case["met"] * UNITS[case.get("timeunit") or "s"]
    utc = t.utc
    utc.precision = 6
    return utc.isot


def main(path):
    warnings.simplefilter("ignore")
    for case in json.load(open(path)):
        try:
            print(one(case))
        except ValueError:
            print("None")


if __name__ == "__main__":
    main(sys.argv[1])
