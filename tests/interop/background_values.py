"""Prints gammapy's background data arrays (C order) for: a bkg_2d file, and two bkg_3d files;
or, with --store, the bkg of one observation of a data store.

Usage: background_values.py BKG2D_FILE HESS_FILE OURS3D_FILE
       background_values.py --store DATASTORE_DIR OBS_ID
"""
import sys
import warnings

from gammapy.irf import Background2D, Background3D


def dump(label, data):
    print(label + " " + " ".join(repr(float(x)) for x in data.ravel()))


def from_store(store, obs_id):
    """The bkg of one observation of a data store, as gammapy's DataStore loads it."""
    from gammapy.data import DataStore

    obs = DataStore.from_dir(store).obs(int(obs_id), required_irf=["bkg"])
    assert obs.bkg.axes.names == ["energy", "offset"], obs.bkg.axes.names
    dump("store", obs.bkg.data)
    return 0


def main(bkg2d, hess, ours3d):
    warnings.simplefilter("ignore")
    b2 = Background2D.read(bkg2d, hdu="BACKGROUND")
    assert b2.axes.names == ["energy", "offset"], b2.axes.names
    dump("bkg2d", b2.data)
    dump("hess3d", Background3D.read(hess, hdu="BKG").data)
    b3 = Background3D.read(ours3d, hdu="BACKGROUND")
    assert b3.axes.names == ["energy", "fov_lon", "fov_lat"], b3.axes.names
    dump("ours3d", b3.data)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--store":
        sys.exit(from_store(*sys.argv[2:]))
    sys.exit(main(*sys.argv[1:]))
