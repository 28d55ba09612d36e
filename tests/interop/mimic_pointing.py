"""Opens a data store of Convert-Fov outputs with gammapy 1.0 and checks each observation's pointing.

Usage: mimic_pointing.py DATASTORE_DIR OBS_ID RA DEC [OBS_ID RA DEC ...]
Exit 1 (with the reason) if anything fails; prints "checked N observation(s)".
"""
import sys
import warnings

from gammapy.data import DataStore


def main(path, args):
    warnings.simplefilter("ignore")
    store = DataStore.from_dir(path)
    n = 0
    for i in range(0, len(args), 3):
        obs_id, ra, dec = int(args[i]), float(args[i + 1]), float(args[i + 2])
        available = list(store.hdu_table[store.hdu_table["OBS_ID"] == obs_id]["HDU_TYPE"])
        required = [t for t in ("aeff", "edisp", "psf", "bkg", "rad_max") if t in available]
        obs = store.obs(obs_id, required_irf=required)
        p = obs.pointing_radec
        assert abs(p.ra.deg - ra) < 1e-6 and abs(p.dec.deg - dec) < 1e-6, f"{obs_id}: pointing {p} != {ra} {dec}"
        assert int(obs.events.table.meta["OBS_ID"]) == obs_id, f"{obs_id}: OBS_ID"
        assert len(obs.events.table) > 0 and obs.aeff is not None
        n += 1
    print(f"checked {n} observation(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
