"""Opens a simulated data store with gammapy 1.0 and loads everything of every observation.

Usage: check_simulated_store.py STORE_DIR
Prints one line per problem and exits 1 if there are any; prints "OK n" otherwise.
"""
import sys
import warnings

import astropy.units as u
import numpy as np
from gammapy.data import DataStore

warnings.simplefilter("ignore")
ds = DataStore.from_dir(sys.argv[1])
problems = []
ids = list(ds.obs_table["OBS_ID"])
for obs_id in ids:
    try:
        obs = ds.obs(obs_id, required_irf=["aeff", "edisp", "bkg"])
        ev = obs.events
        n = len(ev.table)
        gti = obs.gti
        if abs(gti.time_sum.to_value("s") - obs.obs_info["ONTIME"]) > 1e-3:
            problems.append(f"{obs_id}: GTI sum {gti.time_sum} != ONTIME")
        t = ev.time
        if n and (t.min() < gti.time_start[0] or t.max() > gti.time_stop[-1]):
            problems.append(f"{obs_id}: event times outside the GTI")
        a = obs.aeff.evaluate(energy_true=1 * u.TeV, offset=0.5 * u.deg)
        if not a.to_value("m2") > 0:
            problems.append(f"{obs_id}: aeff at 1 TeV is {a}")
        obs.edisp.evaluate(energy_true=1 * u.TeV, migra=1.0, offset=0.5 * u.deg)
        b = obs.bkg.evaluate(energy=1 * u.TeV, offset=0.5 * u.deg)
        if not b.to_value("s-1 MeV-1 sr-1") > 0:
            problems.append(f"{obs_id}: bkg at 1 TeV is {b}")
        sep = ev.radec.separation(obs.pointing_radec).deg
        r = np.hypot(ev.table["Xoff"], ev.table["Yoff"])
        if n and np.max(np.abs(sep - r)) > 1e-3:
            problems.append(f"{obs_id}: |(Xoff,Yoff)| differs from the offset by {np.max(np.abs(sep - r))}")
    except Exception as e:  # noqa: BLE001
        problems.append(f"{obs_id}: {type(e).__name__}: {e}")
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"OK {len(ids)}")
