#!/usr/bin/python3
"""Reference values for the Sky/ tests, computed with astropy (Debian python3-gammapy, astropy 5.2).

Run from the repository root:  /usr/bin/python3 tests/GammapyTools.Core.Tests/Sky/make_astropy_reference.py [out.csv]
Default output: tests/data/sky_reference.csv. The output is deterministic (seeded RNG,
repr() of doubles), so a re-run must reproduce the committed file byte for byte.

Columns: kind,text,ra1,dec1,ra2,dec2,p1,p2,out1,out2 (degrees; empty when unused)
  parse           text                          -> out1=ra, out2=dec
  separation      (ra1,dec1) (ra2,dec2)          -> out1
  position_angle  from (ra1,dec1) to (ra2,dec2)  -> out1
  offset          from (ra1,dec1), p1=separation, p2=position angle -> out1=ra, out2=dec
  galactic        (ra1,dec1)                    -> out1=l, out2=b
  sky_offset      event (ra1,dec1), pointing (ra2,dec2) -> out1=lon, out2=lat (SkyOffsetFrame)
  repoint         event (ra1,dec1), from pointing (ra2,dec2), to pointing (p1,p2) -> out1=ra, out2=dec
"""
import csv
import sys

import numpy as np
import astropy.units as u
from astropy.coordinates import SkyCoord, SkyOffsetFrame, ICRS

rng = np.random.default_rng(20261126)
rows = []


def add(kind, text="", ra1="", dec1="", ra2="", dec2="", p1="", p2="", out1="", out2=""):
    def f(x):
        return x if isinstance(x, str) else repr(float(x))
    rows.append([kind, text] + [f(x) for x in (ra1, dec1, ra2, dec2, p1, p2, out1, out2)])


def icrs(ra, dec):
    return SkyCoord(ra * u.deg, dec * u.deg, frame="icrs")


def random_points(n):
    ra = rng.uniform(0.0, 360.0, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    return list(zip(ra, dec))


# Points that stress the edges: poles, Dec ±85, ±89.999, RA just either side of 0/360.
SPECIAL = [(0.0, 90.0), (123.4, 90.0), (0.0, -90.0), (250.0, -90.0),
           (10.0, 89.999), (190.0, -89.999), (359.9999, 85.0), (0.0001, -85.0),
           (359.99, 0.0), (0.01, 0.0), (180.0, 0.0), (83.6331, 22.0145)]

# --- parse: (text, units astropy must assume for bare numbers) ---------------------------
PARSE = [
    ("83.633 22.0145", (u.deg, u.deg)),
    ("83.633, 22.0145", (u.deg, u.deg)),
    ("05h34m31.94s +22d00m52.2s", (u.hourangle, u.deg)),
    ("05:34:31.94 +22:00:52.2", (u.hourangle, u.deg)),
    ("5h34m31.94s -0d30m", (u.hourangle, u.deg)),
    ("05 34 31.94 +22 00 52.2", (u.hourangle, u.deg)),
    ("23:59:59.999 -89:59:59.9", (u.hourangle, u.deg)),
    ("00h00m00.001s -00d00m00.1s", (u.hourangle, u.deg)),
    ("359.9999999 -45.5", (u.deg, u.deg)),
    ("12h30m +12d23m", (u.hourangle, u.deg)),
    ("-10.5 30", (u.deg, u.deg)),
    ("17:45:40.04, -29:00:28.1", (u.hourangle, u.deg)),
]
for text, unit in PARSE:
    c = SkyCoord(text.replace(",", " "), unit=unit, frame="icrs")
    add("parse", text, out1=c.ra.deg, out2=c.dec.deg)

# --- separation and position angle --------------------------------------------------------
pairs = list(zip(random_points(24), random_points(24)))
pairs += [(SPECIAL[i], SPECIAL[j]) for i, j in [(0, 2), (0, 1), (4, 5), (6, 7), (8, 9), (9, 8), (10, 11), (3, 11)]]
pairs += [((10.0, 20.0), (10.0, 20.0)),                     # identical
          ((10.0, 20.0), (190.0, -20.0)),                   # antipodal
          ((10.0, 20.0), (190.0 + 1e-7, -20.0)),            # nearly antipodal
          ((10.0, 20.0), (10.0 + 1e-9, 20.0 + 1e-9)),       # nearly identical
          ((359.9999, 10.0), (0.0001, 10.0))]               # across RA 0
for (a, b) in pairs:
    ca, cb = icrs(*a), icrs(*b)
    add("separation", "", a[0], a[1], b[0], b[1], out1=ca.separation(cb).deg)
    add("position_angle", "", a[0], a[1], b[0], b[1], out1=ca.position_angle(cb).deg)

# --- directional offsets ------------------------------------------------------------------
starts = random_points(14) + SPECIAL
for i, s in enumerate(starts):
    sep = [0.0, 0.3, 2.5, 45.0, 120.0, 179.9][i % 6]
    pa = rng.uniform(0.0, 360.0)
    c = icrs(*s).directional_offset_by(pa * u.deg, sep * u.deg)
    add("offset", "", s[0], s[1], p1=sep, p2=pa, out1=c.ra.deg, out2=c.dec.deg)

# --- ICRS -> Galactic ----------------------------------------------------------------------
for p in random_points(18) + SPECIAL + [(266.40499, -28.93617), (192.8594812065348, 27.12825118085622)]:
    g = icrs(*p).galactic
    add("galactic", "", p[0], p[1], out1=g.l.deg, out2=g.b.deg)

# --- SkyOffsetFrame lon/lat ----------------------------------------------------------------
pointings = random_points(6) + SPECIAL[:8]
for i, pnt in enumerate(pointings):
    for k in range(2):
        sep = [0.0, 0.7, 1.9, 4.0][(2 * i + k) % 4]
        ev = icrs(*pnt).directional_offset_by(rng.uniform(0, 360) * u.deg, sep * u.deg)
        e = (float(ev.ra.deg), float(ev.dec.deg))
        off = icrs(*e).transform_to(SkyOffsetFrame(origin=icrs(*pnt)))
        add("sky_offset", "", e[0], e[1], pnt[0], pnt[1], out1=off.lon.deg, out2=off.lat.deg)

# --- re-pointing: an event keeps its SkyOffsetFrame lon/lat from pointing A to pointing B -------
froms = random_points(10) + SPECIAL
tos = random_points(10) + list(reversed(SPECIAL))
for i, (a, b) in enumerate(zip(froms, tos)):
    for k in range(2):
        sep = [0.0, 0.5, 1.75, 3.0][(2 * i + k) % 4]
        ev = icrs(*a).directional_offset_by(rng.uniform(0, 360) * u.deg, sep * u.deg)
        e = (float(ev.ra.deg), float(ev.dec.deg))
        off = icrs(*e).transform_to(SkyOffsetFrame(origin=icrs(*a)))
        moved = SkyOffsetFrame(lon=off.lon, lat=off.lat, origin=icrs(*b)).transform_to(ICRS())
        add("repoint", "", e[0], e[1], a[0], a[1], b[0], b[1], out1=moved.ra.deg, out2=moved.dec.deg)

out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/sky_reference.csv"
with open(out, "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["kind", "text", "ra1", "dec1", "ra2", "dec2", "p1", "p2", "out1", "out2"])
    w.writerows(rows)
print(f"wrote {len(rows)} rows to {out}", file=sys.stderr)
