"""scipy.ndimage.gaussian_filter of a 1D row (sigma 1.3) and a 9x11 image (sigma 0.8), as the C# test gives them."""
import sys

import numpy as np
from scipy.ndimage import gaussian_filter

with open(sys.argv[1]) as f:
    row = np.array([float(x) for x in f.readline().split()])
    image = np.array([float(x) for x in f.readline().split()]).reshape(9, 11)
print(" ".join(repr(float(x)) for x in gaussian_filter(row, 1.3)))
print(" ".join(repr(float(x)) for x in gaussian_filter(image, 0.8).ravel()))
