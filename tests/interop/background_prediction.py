"""gammapy's background prediction for observations whose BACKGROUND model this product made,
against their counts outside known sources.

For each observation: a counts and a background map made by gammapy's MapDatasetMaker (the
background is the model × observation_time_duration, integrated over each energy bin and pixel),
on a WCS grid centred on the pointing, energy bins of the model's energy range. Analysis bins are
the (energy, pixel) bins whose pixel centre lies within --offset-max of the pointing and outside
every --exclude circle. Prints one line per observation:

    OBS <id> counts=<N> npred=<B> bins_with_counts=<n> zero_npred_with_counts=<z> min_npred_with_counts=<m>

Usage: background_prediction.py STORE --obs ID [ID ...] --offset-max DEG --emin TEV --emax TEV
           --ebins N [--exclude RA,DEC,RADIUS ...] [--binsz DEG]
"""
import argparse
import warnings

import numpy as np
import astropy.units as u
from astropy.coordinates import SkyCoord


def main():
    p = argparse.ArgumentParser()
    p.add_argument("store")
    p.add_argument("--obs", type=int, nargs="+", required=True)
    p.add_argument("--offset-max", type=float, required=True)
    p.add_argument("--emin", type=float, required=True)
    p.add_argument("--emax", type=float, required=True)
    p.add_argument("--ebins", type=int, required=True)
    p.add_argument("--exclude", nargs="*", default=[])
    p.add_argument("--binsz", type=float, default=0.05)
    a = p.parse_args()
    warnings.simplefilter("ignore")

    from gammapy.data import DataStore
    from gammapy.datasets import MapDataset
    from gammapy.makers import MapDatasetMaker
    from gammapy.maps import MapAxis, WcsGeom

    store = DataStore.from_dir(a.store)
    excluded = [tuple(float(x) for x in e.split(",")) for e in a.exclude]
    energy = MapAxis.from_energy_bounds(a.emin, a.emax, a.ebins, unit="TeV", name="energy")
    for obs_id in a.obs:
        obs = store.obs(obs_id, required_irf=["bkg"])
        pointing = obs.pointing_radec
        width = 2 * a.offset_max + 2 * a.binsz
        geom = WcsGeom.create(skydir=pointing, binsz=a.binsz, width=width, frame="icrs", axes=[energy])
        dataset = MapDataset.create(geom=geom, name=str(obs_id))
        dataset = MapDatasetMaker(selection=["counts", "background"]).run(dataset, obs)

        centres = geom.to_image().get_coord().skycoord
        mask = centres.separation(pointing).deg < a.offset_max
        for ra, dec, radius in excluded:
            mask &= centres.separation(SkyCoord(ra, dec, unit="deg")).deg >= radius
        counts = dataset.counts.data[:, mask]
        npred = dataset.background.data[:, mask]
        with_counts = counts > 0
        zero = int(np.sum(with_counts & (npred <= 0)))
        min_npred = float(npred[with_counts].min()) if with_counts.any() else float("nan")
        print("ENERGY " + " ".join(f"{c}:{b:.1f}" for c, b in zip(counts.sum(axis=1), npred.sum(axis=1))))
        print(f"OBS {obs_id} counts={int(counts.sum())} npred={float(npred.sum())!r} "
              f"bins_with_counts={int(with_counts.sum())} zero_npred_with_counts={zero} min_npred_with_counts={min_npred!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
