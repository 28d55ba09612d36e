"""Evaluates the reference KL divergence formula with numpy for pairs of models.

Input file: one model per line (values separated by spaces, Python float repr); the first line is
the reference model P, every other line a model Q. Prints one KL value (repr) per Q line:
    P = a / a.sum() + 1e-9;  Q = b / b.sum() + 1e-9;  KL = np.sum(P * np.log(P / Q))

Usage: kl_divergence.py MODELS_FILE
"""
import sys

import numpy as np


def kl(a, b):
    p = a / np.sum(a) + 1e-9
    q = b / np.sum(b) + 1e-9
    return np.sum(p * np.log(p / q))


def main(path):
    with open(path) as f:
        models = [np.array([float(x) for x in line.split()], dtype=np.float64) for line in f if line.strip()]
    ref = models[0]
    for m in models[1:]:
        print(repr(float(kl(ref, m))))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
