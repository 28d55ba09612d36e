"""Significance at a sky position in a data store, analysed with gammapy 1.0 in two ways.

Usage: source_significance.py RA DEC DATASTORE_DIR [DATASTORE_DIR ...]

1. Reflected regions: an ON circle of 0.11 deg at (RA, DEC), OFF counts from
   the reflected regions of every observation (the exclusion radius around the position kept out),
   stacked, Li & Ma (WStat) significance.
2. FoV-normalised background model: a MapDataset per observation with the run's own background
   model, FoVBackgroundMaker (method "scale") with a circle of 0.3 deg at the position excluded, then the Cash significance of the counts in the ON circle against the
   predicted background, summed over observations. "raw" is the same before the normalisation.

Reconstructed energies 1-10 TeV, offsets up to 2.5 deg. Prints one JSON line per data store:
{"store": dir, "observations": N, "reflected": s, "fov": s, "fov_raw": s, "n_on": ..., ...}
"""
import json
import sys
import warnings

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from gammapy.data import DataStore
from gammapy.datasets import MapDataset, SpectrumDataset
from gammapy.makers import (FoVBackgroundMaker, MapDatasetMaker, ReflectedRegionsBackgroundMaker,
                            SafeMaskMaker, SpectrumDatasetMaker)
from gammapy.maps import MapAxis, RegionGeom, WcsGeom
from gammapy.stats import CashCountsStatistic, WStatCountsStatistic
from regions import CircleSkyRegion


def main(path, ra, dec, on_radius=0.11, exclusion_radius=0.3):
    warnings.simplefilter("ignore")
    store = DataStore.from_dir(path)
    observations = store.get_observations(required_irf=["aeff", "bkg"])
    position = SkyCoord(ra, dec, unit="deg", frame="icrs")
    energy = MapAxis.from_energy_bounds(1, 10, nbin=5, unit="TeV")
    on_region = CircleSkyRegion(position, on_radius * u.deg)
    excluded = CircleSkyRegion(position, exclusion_radius * u.deg)

    # One map around the position; exclusion mask True where the background may be learnt.
    geom = WcsGeom.create(skydir=position, width=(6, 6), binsz=0.02, frame="icrs", axes=[energy])
    exclusion = ~geom.to_image().region_mask([excluded])
    safe = SafeMaskMaker(methods=["offset-max"], offset_max=2.5 * u.deg)

    # 1. reflected regions
    spectrum_maker = SpectrumDatasetMaker(selection=["counts", "exposure"], containment_correction=False)
    reflected = ReflectedRegionsBackgroundMaker(exclusion_mask=exclusion)
    n_on = n_off = 0.0
    alpha_weighted_off = 0.0
    for obs in observations:
        empty = SpectrumDataset.create(geom=RegionGeom.create(region=on_region, axes=[energy]))
        ds = spectrum_maker.run(empty, obs)
        ds = reflected.run(ds, obs)
        ds = safe.run(ds, obs)
        mask = ds.mask_safe.data
        on = float(ds.counts.data[mask].sum())
        off = float(ds.counts_off.data[mask].sum())
        alpha = float(np.mean(ds.alpha.data[mask])) if mask.any() else 0.0
        n_on += on
        n_off += off
        alpha_weighted_off += alpha * off
    alpha_mean = alpha_weighted_off / n_off if n_off > 0 else 0.0
    reflected_sig = float(WStatCountsStatistic(n_on, n_off, alpha_mean).sqrt_ts) if n_off > 0 else float("nan")

    # 2. FoV-normalised background model
    map_maker = MapDatasetMaker(selection=["counts", "background"])
    fov = FoVBackgroundMaker(method="scale", exclusion_mask=exclusion)
    on_mask = geom.region_mask([on_region])
    fov_on = fov_bkg = raw_bkg = 0.0
    norms = []
    for obs in observations:
        ds = map_maker.run(MapDataset.create(geom=geom, name=f"obs{obs.obs_id}"), obs)
        ds = safe.run(ds, obs)
        mask = ds.mask_safe.data & on_mask
        raw_bkg += float(ds.npred_background().data[mask].sum())
        ds = fov.run(ds)
        norms.append(float(ds.background_model.spectral_model.norm.value))
        fov_on += float(ds.counts.data[mask].sum())
        fov_bkg += float(ds.npred_background().data[mask].sum())
    fov_sig = float(CashCountsStatistic(fov_on, fov_bkg).sqrt_ts)
    raw_sig = float(CashCountsStatistic(fov_on, raw_bkg).sqrt_ts)

    print(json.dumps({
        "store": path, "observations": len(observations),
        "reflected": round(reflected_sig, 3), "fov": round(fov_sig, 3), "fov_raw": round(raw_sig, 3),
        "n_on": n_on, "n_off": n_off, "alpha": round(alpha_mean, 5),
        "fov_n_on": fov_on, "fov_bkg": round(fov_bkg, 2), "raw_bkg": round(raw_bkg, 2),
        "fov_norms": [round(n, 3) for n in norms],
    }))
    return 0


if __name__ == "__main__":
    ra, dec = float(sys.argv[1]), float(sys.argv[2])
    for store in sys.argv[3:]:
        main(store, ra, dec)
    sys.exit(0)
