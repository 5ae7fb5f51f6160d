#!/usr/bin/env python3
"""Independent reference values for the Comp.VAE loss terms (method.md §2-6), written with numpy only.

This is a second implementation of the equations, deliberately loop-based and written from method.md, not
from the TypeScript code; tests/ml-losses.test.ts compares src/ml/losses.ts against the JSON it writes.
Run: python3 scripts/make_loss_fixtures.py   (writes tests/fixtures/losses/*.json)
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'losses')
COS_EPS = 1e-3
VAR_EPS = 1e-4


def f(s):
    return s * s - math.log(s * s) - 1.0


def cosines(v):
    n = len(v)
    out = []
    for i in range(n - 1):
        tail = sum(float(v[j]) ** 2 for j in range(i, n))
        out.append(float(v[i]) / math.sqrt(tail + COS_EPS))
    return out


def std_unbiased(column):
    m = sum(column) / len(column)
    var = sum((c - m) ** 2 for c in column) / (len(column) - 1)
    return math.sqrt(var + VAR_EPS)


def mean(column):
    return sum(column) / len(column)


def angle_loss(V, sp, mp, w, n):
    C = [cosines(row) for row in V]
    total_std, total_mean = 0.0, 0.0
    for i in range(1, n):  # angle index, 1-based
        col = [c[i - 1] for c in C]
        beta = 50.0 * math.sqrt(n) / math.sqrt(i)
        total_std += beta * f(std_unbiased(col) + 1.0 - sp[i - 1])
        total_mean += beta * w[i - 1] * (mean(col) - mp[i - 1]) ** 2
    return total_std + 0.05 * total_mean


def radial_mu(V, n):
    rho = [math.sqrt(sum(float(x) ** 2 for x in row)) for row in V]
    return 50.0 * f(std_unbiased(rho) + 1.0) + 50.0 * (mean(rho) - math.sqrt(n - 0.5)) ** 2


def radial_sigma(S, n, c=0.001):
    rho = [math.sqrt(sum(float(x) ** 2 for x in row)) for row in S]
    return 50.0 * f(std_unbiased(rho) / math.sqrt(0.5)) + 50.0 * (mean(rho) - c * math.sqrt(n - 0.5)) ** 2


def mu_priors(n, epoch, method):
    sp = [1.0 / math.sqrt(n - i + 1 + 1e-3) for i in range(1, n)]
    if method == 'comp':
        mp = [1.0] * (n - 1)
    else:  # vmf
        mp = [1.0] + [0.0] * (n - 2)
    late = epoch > 100
    w = []
    for i in range(1, n):
        if i == 1:
            w.append(150.0 if late else 100.0)
        elif i == n - 1:
            w.append(0.0)
        else:
            w.append(math.sqrt(epoch - 101) + 1.0 if late else 1.0)
    return sp, mp, w


def case(seed, m, n, epoch, method, rolled_classes=None):
    rng = np.random.default_rng(seed)
    mu = rng.normal(0.0, 1.0, size=(m, n)) + np.linspace(0.5, 0.0, n)
    logvar = rng.normal(-1.0, 0.3, size=(m, n))
    # Round to float32 first, so the reference sees exactly the values the float32 code sees.
    mu = mu.astype(np.float32).astype(np.float64)
    logvar = logvar.astype(np.float32).astype(np.float64)
    sigma = np.exp(0.5 * logvar)
    sp, mp, w = mu_priors(n, epoch, method)
    if rolled_classes is None:
        angle_mu = angle_loss(mu.tolist(), sp, mp, w, n)
        classes = None
    else:
        classes = rng.integers(0, rolled_classes, size=m)
        classes.sort()
        angle_mu = 0.0
        for k in range(rolled_classes):
            rows = mu[classes == k]
            if len(rows) < 2:
                continue
            rolled = np.roll(rows, -10 * k, axis=1)  # rolled[j] = mu[(j + 10k) mod n]
            angle_mu += angle_loss(rolled.tolist(), sp, mp, w, n)
    sp_sigma = [0.0] * (n - 1)
    mp_sigma = [1.0 / math.sqrt(n - i + 1 + 1e-3) for i in range(1, n)]
    angle_sigma = angle_loss(sigma.tolist(), sp_sigma, mp_sigma, [1.0] * (n - 1), n)
    r_mu = radial_mu(mu.tolist(), n)
    r_sigma = radial_sigma(sigma.tolist(), n)
    kld = 1000 * angle_mu + 300 * r_mu + 500000 * angle_sigma + 500 * r_sigma
    # Standard VAE per-sample KL and eq (1) (reconstructed) for the baselines.
    kl = float(np.mean(0.5 * np.sum(mu ** 2 + np.exp(logvar) - logvar - 1.0, axis=1)))
    cart = 0.0
    for j in range(n):
        col = mu[:, j].tolist()
        cart += 0.5 * (f(std_unbiased(col)) + mean(col) ** 2)
    return {
        'seed': seed, 'batch': m, 'latentDim': n, 'epoch': epoch, 'method': method,
        'mu': mu.astype(np.float32).ravel().tolist(),
        'logvar': logvar.astype(np.float32).ravel().tolist(),
        'classes': None if classes is None else classes.tolist(),
        'angleMu': angle_mu, 'radiusMu': r_mu, 'angleSigma': angle_sigma, 'radiusSigma': r_sigma,
        'kld': kld, 'perSampleKl': kl, 'cartesianDivergence': cart,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        case(1, 16, 8, 0, 'comp'),
        case(2, 24, 16, 150, 'comp'),
        case(3, 16, 12, 5, 'vmf'),
        case(4, 32, 32, 0, 'comp', rolled_classes=3),
    ]
    # Independent cosines of random vectors for the transform test (float64).
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(5, 9))
    transform = [{'x': v.tolist(), 'cos': cosines(v.tolist()), 'r': float(np.linalg.norm(v))} for v in vectors]
    with open(os.path.join(OUT, 'loss-terms.json'), 'w') as handle:
        json.dump({'generator': 'scripts/make_loss_fixtures.py (numpy ' + np.__version__ + ')', 'cases': cases, 'transform': transform}, handle)
    print('wrote', os.path.join(OUT, 'loss-terms.json'))


if __name__ == '__main__':
    main()
