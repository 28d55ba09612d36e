"""Opens a data store with gammapy 1.0 and loads every observation's HDUs.

Usage: load_datastore.py DATASTORE_DIR
Exit 1 (with the reason) if anything fails; prints "loaded N observation(s)".
"""
import sys
import warnings

import numpy as np
from gammapy.data import DataStore


def main(path):
    warnings.simplefilter("ignore")
    store = DataStore.from_dir(path)
    ids = list(store.obs_table["OBS_ID"])
    n = 0
    for obs_id in ids:
        available = list(store.hdu_table[store.hdu_table["OBS_ID"] == obs_id]["HDU_TYPE"])
        # Ask for every IRF the index lists, so a missing or unreadable one is an error.
        required = [t for t in ("aeff", "edisp", "psf", "bkg", "rad_max") if t in available]
        obs = store.obs(obs_id, required_irf=required)
        events = obs.events
        assert len(events.table) > 0, f"{obs_id}: no events"
        assert obs.gti.time_sum.value > 0, f"{obs_id}: empty GTI"
        assert obs.aeff is not None and np.all(np.isfinite(obs.aeff.data)), f"{obs_id}: aeff"
        assert obs.edisp is not None, f"{obs_id}: edisp"
        if "bkg" in available:
            bkg = obs.bkg
            assert bkg is not None and np.all(np.isfinite(bkg.data)), f"{obs_id}: bkg"
        if "psf" in available:
            assert obs.psf is not None, f"{obs_id}: psf"
        if "rad_max" in available:
            assert obs.rad_max is not None, f"{obs_id}: rad_max"
        pointing = obs.pointing_radec
        row = store.obs_table[store.obs_table["OBS_ID"] == obs_id][0]
        assert abs(pointing.ra.deg - row["RA_PNT"]) < 1e-6, f"{obs_id}: pointing RA"
        n += 1
    print(f"loaded {n} observation(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
