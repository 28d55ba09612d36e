"""Ring-background sky map of runs of a data store, made by gammapy 1.0 as gammapy-tools does it.

Usage: ring_skymap.py SPEC.json OUT_DIR

SPEC holds: datastore, obs_ids, ra, dec (map centre / target), e_min, e_max (TeV), n_bins (energy bins),
width, binsz, theta, r_in, ring_width, offset_max, exclusion_radius (deg), regions ([[ra, dec, r], ...]).

Per run a MapDataset (counts, background) on the full geometry, an offset-max safe mask, stacked;
the stacked image (summed over energy) goes through RingBackgroundMaker with the exclusion mask
(circles around the target and the regions), then ExcessMapEstimator (correlation radius theta,
correlate_off=False). Writes OUT_DIR/<name>.bin (float64, row-major ny x nx) for counts, background,
counts_off, acceptance_off, npred (correlated ON counts), npred_excess, sqrt_ts, exclusion; and prints
one JSON line: npix, sigma at the target (the pixel that holds it; see below), off mu / std (scipy norm.fit of the finite
off-exclusion significances), number of off pixels, seconds spent after imports.
"""
import json
import os
import sys
import time
import warnings

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from gammapy.data import DataStore
from gammapy.datasets import MapDataset
from gammapy.estimators import ExcessMapEstimator
from gammapy.makers import MapDatasetMaker, RingBackgroundMaker, SafeMaskMaker
from gammapy.maps import MapAxis, WcsGeom
from regions import CircleSkyRegion
from scipy.stats import norm

warnings.simplefilter("ignore")


def main():
    spec = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    start = time.perf_counter()
    store = DataStore.from_dir(spec["datastore"])
    observations = store.get_observations(spec["obs_ids"], required_irf=["bkg"])
    target = SkyCoord(spec["ra"], spec["dec"], unit="deg", frame="icrs")
    axis = MapAxis.from_energy_bounds(spec["e_min"], spec["e_max"], nbin=spec["n_bins"], unit="TeV", name="energy")
    geom = WcsGeom.create(skydir=target, binsz=spec["binsz"], width=spec["width"], frame="icrs", proj="TAN", axes=[axis])

    stacked = MapDataset.create(geom=geom, name="stacked")
    maker = MapDatasetMaker(selection=["counts", "background"])
    safe = SafeMaskMaker(methods=["offset-max"], offset_max=spec["offset_max"] * u.deg)
    for obs in observations:
        dataset = maker.run(stacked.copy(name=f"obs-{obs.obs_id}"), obs)
        dataset = safe.run(dataset, obs)
        stacked.stack(dataset)
    image = stacked.to_image()

    geom_image = image.counts.geom
    regions = [CircleSkyRegion(center=target, radius=spec["exclusion_radius"] * u.deg)]
    for ra, dec, r in spec.get("regions", []):
        regions.append(CircleSkyRegion(center=SkyCoord(ra, dec, unit="deg"), radius=r * u.deg))
    exclusion = ~geom_image.region_mask(regions)

    ring = RingBackgroundMaker(r_in=spec["r_in"] * u.deg, width=spec["ring_width"] * u.deg, exclusion_mask=exclusion)
    on_off = ring.run(image)
    estimator = ExcessMapEstimator(correlation_radius=spec["theta"] * u.deg, correlate_off=False)
    maps = estimator.run(on_off)
    elapsed = time.perf_counter() - start

    sig = maps["sqrt_ts"].data[0]
    ex = exclusion.data[0]
    off = sig[np.isfinite(sig) & ex]
    mu, std = norm.fit(off)
    # The target is the map centre: for an even number of pixels a pixel corner, where gammapy's own
    # get_by_coord picks one of four pixels by wcslib's rounding noise. Read it at the pixel defined
    # exactly (index = floor(pix + 0.5), pix rounded to 1e-6 pixel), as the module does.
    px, py = geom_image.to_image().coord_to_pix({"skycoord": target})
    ix, iy = int(np.floor(np.round(px[0], 6) + 0.5)), int(np.floor(np.round(py[0], 6) + 0.5))
    at_target = float(sig[iy, ix])
    arrays = {
        "counts": image.counts.data[0], "background": image.npred_background().data[0],
        "counts_off": on_off.counts_off.data[0], "acceptance_off": on_off.acceptance_off.data[0],
        "npred": maps["npred"].data[0], "npred_excess": maps["npred_excess"].data[0],
        "sqrt_ts": sig, "exclusion": ex.astype(float),
    }
    for name, a in arrays.items():
        np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(out, name + ".bin"))
    print(json.dumps({
        "nx": int(geom_image.data_shape[-1]), "ny": int(geom_image.data_shape[-2]),
        "sigma_target": at_target, "off_mean": float(mu), "off_std": float(std), "off_pixels": int(off.size),
        "observations": len(observations), "seconds": elapsed,
    }))


if __name__ == "__main__":
    main()
