"""Reads a sky-map FITS file written by the module with astropy and gammapy 1.0.

Usage: read_skymap.py FILE X Y [X Y ...]

Prints one JSON line: for every image extension its shape, the sum and count of its finite values
(astropy), the world coordinates (astropy WCS, 0-based pixels) of each (X, Y) given, and gammapy's
Map.read(hdu="SQRT_TS") geometry (centre, npix, binsz) and the sum of its finite values.
"""
import json
import sys

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from gammapy.maps import Map

path = sys.argv[1]
pixels = [(float(sys.argv[i]), float(sys.argv[i + 1])) for i in range(2, len(sys.argv), 2)]
out = {"images": {}}
with fits.open(path) as hdul:
    for hdu in hdul[1:]:
        if hdu.header.get("XTENSION") != "IMAGE":
            continue
        data = hdu.data
        finite = np.isfinite(data)
        out["images"][hdu.name] = {"shape": list(data.shape), "sum": float(data[finite].sum()), "finite": int(finite.sum())}
    wcs = WCS(hdul["SQRT_TS"].header)
    out["world"] = [list(map(float, wcs.wcs_pix2world([[x, y]], 0)[0])) for x, y in pixels]
    out["runs"] = [int(v) for v in hdul["RUNS"].data["OBS_ID"]]
    out["sig_tgt"] = hdul[0].header.get("SIG_TGT")
m = Map.read(path, hdu="SQRT_TS")
c = m.geom.center_skydir
out["gammapy"] = {"ra": float(c.ra.deg), "dec": float(c.dec.deg), "npix": [int(n) for n in np.ravel(m.geom.npix)],
                  "binsz": float(np.abs(m.geom.pixel_scales[0].deg)), "sum": float(np.nansum(m.data)), "frame": m.geom.frame}
print(json.dumps(out))
