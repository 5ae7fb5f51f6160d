#!/usr/bin/python3
"""PyTorch (CPU) and scikit-learn reference for `npm run bench` (bench/bench.ts).

Runs the same work as the TypeScript benchmark and prints one JSON object per line on stdout:
  {"task": ..., "size": ..., "value": ..., "unit": ..., ...}
bench.ts starts this script as a child process with /usr/bin/python3 when that interpreter can
import torch / sklearn, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment.

Tasks (--only, comma-separated):
  train    the Comp.VAE training step of method.md §8 (n = 128, batch 32, C = 3) at --sizes:
           encoder + decoder forward in training mode (batch-statistics BN), the hyperspherical
           divergence on μ and σ, projection of z onto the sphere of radius sqrt(n), one backward
           pass, and the two Adam updates (encoder, decoder), exactly the work src/ml/train.ts does
           per step (one backward serves both optimizers, see train.ts). Reports images/s from the
           median step time.
  encode   encoder forward alone in eval mode (BN running statistics), batch 256. Images/s.
  loss     the hyperspherical divergence (eqs 2–3) against the standard per-sample KL, n = 200,
           batch 32, forward + backward, and the training step at n = 200 (32×32) with each of
           them, alternating step by step.
  knn      exact k = 3 nearest neighbours (mean distance score) of 20k queries in a 50k bank at
           n = 128, sklearn.neighbors.NearestNeighbors defaults. Data from --knn-bank/--knn-queries
           (.npy written by bench.ts) so both sides score the same rows.
  iforest  sklearn.ensemble.IsolationForest(n_estimators=100, max_samples=256) fit + score_samples
           on the same 10k × 4096 matrix (--iforest-data).

Threads: torch.set_num_threads(--threads) (default 2) and threadpoolctl limits BLAS/OpenMP to the
same count; the count used is reported in the "environment" line.
"""
import argparse
import json
import math
import os
import platform
import sys
import time


def emit(record):
    print(json.dumps(record), flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--only', default='train,encode,loss,knn,iforest')
    p.add_argument('--sizes', default='32,64')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seconds', type=float, default=6.0, help='minimum timed seconds per training figure')
    p.add_argument('--knn-bank')
    p.add_argument('--knn-queries')
    p.add_argument('--iforest-data')
    p.add_argument('--seed', type=int, default=100)
    p.add_argument('--step-pairs', type=int, default=20, help='comp/vae step pairs of the loss task')
    return p.parse_args()


# ---------------------------------------------------------------------------------------------
# Comp.VAE in PyTorch (method.md §8), NCHW. Mirrors src/ml/model.ts.
# ---------------------------------------------------------------------------------------------

def build_model(torch, nn, image_size, channels, latent):
    F = torch.nn.functional
    extra = int(round(math.log2(image_size // 32)))

    class Res(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.shortcut = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else None
            self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)

        def forward(self, x):
            identity = x if self.shortcut is None else self.shortcut(x)
            h = F.leaky_relu(self.bn1(self.conv1(x)), 0.2)
            h = self.bn2(self.conv2(h))
            return F.leaky_relu(h + identity, 0.2)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(channels, 16, 5, padding=2, bias=False)
            self.stem_bn = nn.BatchNorm2d(16)
            blocks = [Res(16, 32), Res(32, 64)] + [Res(64, 64) for _ in range(extra)] + [Res(64, 64)]
            self.blocks = nn.ModuleList(blocks)
            self.fc = nn.Linear(64 * 4 * 4, 2 * latent)

        def forward(self, x):
            h = F.avg_pool2d(F.leaky_relu(self.stem_bn(self.stem(x)), 0.2), 2)
            for i, block in enumerate(self.blocks):
                h = block(h)
                if i < len(self.blocks) - 1:
                    h = F.avg_pool2d(h, 2)
            out = self.fc(h.flatten(1))
            return out[:, :latent], out[:, latent:]

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(latent, 64 * 4 * 4)
            self.fc_bn = nn.BatchNorm1d(64 * 4 * 4)
            blocks = [Res(64, 64) for _ in range(extra)] + [Res(64, 64), Res(64, 32), Res(32, 16), Res(16, 16)]
            self.blocks = nn.ModuleList(blocks)
            self.out = nn.Conv2d(16, channels, 5, padding=2, bias=True)

        def forward(self, z):
            h = F.leaky_relu(self.fc_bn(self.fc(z)), 0.2).view(-1, 64, 4, 4)
            for i, block in enumerate(self.blocks):
                h = block(h)
                if i < len(self.blocks) - 1:
                    h = F.interpolate(h, scale_factor=2, mode='nearest')
            return torch.sigmoid(self.out(h))

    return Encoder(), Decoder()


def hyperspherical_divergence(torch, mu, sigma, n, epoch=0):
    """KLD of method.md §4 (full compression), as src/ml/losses.ts computes it."""
    cos_eps, var_eps = 1e-3, 1e-4
    i = torch.arange(1, n, dtype=mu.dtype)
    gains = 50.0 * math.sqrt(n) / torch.sqrt(i)
    iso = 1.0 / torch.sqrt(n - i + 1 + cos_eps)

    def f(s):
        s2 = s * s
        return s2 - torch.log(s2) - 1

    def std(v):
        return torch.sqrt(v.var(0, unbiased=True) + var_eps)

    def cosines(v):
        tail = torch.flip(torch.cumsum(torch.flip(v * v, [1]), 1), [1])
        return (v / torch.sqrt(tail + cos_eps))[:, : n - 1]

    def angle_loss(v, sp, mp, w):
        c = cosines(v)
        return (gains * f(std(c) + 1 - sp)).sum() + 0.05 * (gains * w * (c.mean(0) - mp) ** 2).sum()

    w_mu = torch.ones(n - 1, dtype=mu.dtype)
    w_mu[0] = 100.0
    w_mu[n - 2] = 0.0
    angle_mu = angle_loss(mu, iso, torch.ones(n - 1, dtype=mu.dtype), w_mu)
    angle_sigma = angle_loss(sigma, torch.zeros(n - 1, dtype=mu.dtype), iso, torch.ones(n - 1, dtype=mu.dtype))
    r_mu = mu.norm(dim=1, keepdim=True)
    radius_mu = 50 * f(std(r_mu) + 1).sum() + 50 * ((r_mu.mean(0) - math.sqrt(n - 0.5)) ** 2).sum()
    r_sigma = sigma.norm(dim=1, keepdim=True)
    radius_sigma = 50 * f(std(r_sigma) / math.sqrt(0.5)).sum() + 50 * ((r_sigma.mean(0) - 0.001 * math.sqrt(n - 0.5)) ** 2).sum()
    return 1000 * angle_mu + 300 * radius_mu + 500000 * angle_sigma + 500 * radius_sigma


def per_sample_kl(torch, mu, logvar):
    return 0.5 * (mu * mu + logvar.exp() - logvar - 1).sum(1).mean()


def make_trainer(torch, size, latent, method, seed):
    torch.manual_seed(seed)
    encoder, decoder = build_model(torch, torch.nn, size, 3, latent)
    encoder.train()
    decoder.train()
    opt_e = torch.optim.Adam(encoder.parameters(), lr=2e-4)
    opt_d = torch.optim.Adam(decoder.parameters(), lr=2e-4)

    def step(x):
        mu, logvar = encoder(x)
        sigma = torch.exp(0.5 * logvar)
        z = mu + torch.randn_like(mu) * sigma
        if method == 'comp':
            z = math.sqrt(latent) * z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)
            divergence = hyperspherical_divergence(torch, mu, sigma, latent)
        else:
            divergence = per_sample_kl(torch, mu, logvar)
        rec = ((x - decoder(z)) ** 2).sum() / x.shape[0]
        loss = 0.001 * (rec + divergence)
        opt_e.zero_grad(set_to_none=True)
        opt_d.zero_grad(set_to_none=True)
        loss.backward()
        opt_e.step()
        opt_d.step()
        return loss

    return encoder, step


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def timed_steps(step, make_batch, min_seconds, warmup=3, min_steps=5):
    """Median seconds per call (after warmup), timing calls until min_seconds and min_steps."""
    for _ in range(warmup):
        step(make_batch())
    times = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        step(make_batch())
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start >= min_seconds and len(times) >= min_steps:
            return median(times), len(times)


def run_train(torch, size, args, latent=128, method='comp', batch=32):
    _, step = make_trainer(torch, size, latent, method, args.seed)
    data = torch.rand(batch * 4, 3, size, size)
    counter = [0]

    def make_batch():
        counter[0] += 1
        k = counter[0] % 4
        return data[k * batch:(k + 1) * batch]

    seconds, steps = timed_steps(step, make_batch, args.seconds)
    return seconds, steps


def run_step_pairs(torch, args, latent=200, batch=32, size=32):
    """comp and vae training steps alternating, so both see the same machine load."""
    _, comp = make_trainer(torch, size, latent, 'comp', args.seed)
    _, vae = make_trainer(torch, size, latent, 'vae', args.seed)
    x = torch.rand(batch, 3, size, size)
    comp_times, vae_times = [], []
    for r in range(args.step_pairs + 3):
        t0 = time.perf_counter()
        comp(x)
        t1 = time.perf_counter()
        vae(x)
        t2 = time.perf_counter()
        if r >= 3:
            comp_times.append(t1 - t0)
            vae_times.append(t2 - t1)
    # Overhead from the paired differences (robust to load that drifts during the run).
    return median(comp_times), median(vae_times), median([c - v for c, v in zip(comp_times, vae_times)])


def run_encode(torch, size, args, latent=128, batch=256):
    encoder, step = make_trainer(torch, size, latent, 'comp', args.seed)
    encoder.eval()
    data = torch.rand(batch, 3, size, size)

    def forward(x):
        with torch.no_grad():
            return encoder(x)

    seconds, steps = timed_steps(forward, lambda: data, args.seconds / 2, warmup=2, min_steps=3)
    return batch / seconds, steps


def run_loss(torch, args, latent=200, batch=32):
    torch.manual_seed(args.seed)
    mu0 = torch.randn(batch, latent)
    lv0 = torch.randn(batch, latent) * 0.1 - 1

    def make(fn):
        def step(_):
            mu = mu0.clone().requires_grad_(True)
            lv = lv0.clone().requires_grad_(True)
            loss = fn(mu, lv)
            loss.backward()
            return loss
        return step

    hyper = make(lambda mu, lv: hyperspherical_divergence(torch, mu, torch.exp(0.5 * lv), latent))
    kl = make(lambda mu, lv: per_sample_kl(torch, mu, lv))
    t_hyper, _ = timed_steps(hyper, lambda: None, args.seconds / 2, warmup=5, min_steps=50)
    t_kl, _ = timed_steps(kl, lambda: None, args.seconds / 2, warmup=5, min_steps=50)
    return t_hyper, t_kl


def main():
    args = parse_args()
    only = set(args.only.split(','))
    sizes = [int(s) for s in args.sizes.split(',') if s]
    env = {'task': 'environment', 'python': platform.python_version(), 'threads': args.threads}
    torch = None
    try:
        import torch as torch_module
        torch = torch_module
        torch.set_num_threads(args.threads)
        env['torch'] = torch.__version__
        env['torch_threads'] = torch.get_num_threads()
    except ImportError as error:
        env['torch_missing'] = str(error)
    try:
        import sklearn
        env['sklearn'] = sklearn.__version__
    except ImportError as error:
        env['sklearn_missing'] = str(error)
    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=args.threads)
        env['threadpool'] = [
            {k: info.get(k) for k in ('internal_api', 'num_threads', 'architecture')}
            for info in limiter._original_info
        ]
    except Exception as error:  # noqa: BLE001 - reported, not fatal
        env['threadpool_error'] = str(error)
    env['openblas_env'] = {k: os.environ.get(k) for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')}
    emit(env)

    if torch is not None:
        torch.manual_seed(args.seed)
        if 'train' in only:
            for size in sizes:
                seconds, steps = run_train(torch, size, args)
                emit({'task': 'train', 'size': size, 'latent': 128, 'batch': 32, 'seconds_per_step': seconds,
                      'steps': steps, 'images_per_s': 32 / seconds})
        if 'encode' in only:
            for size in sizes:
                ips, steps = run_encode(torch, size, args)
                emit({'task': 'encode', 'size': size, 'latent': 128, 'batch': 256, 'images_per_s': ips, 'steps': steps})
        if 'loss' in only:
            t_hyper, t_kl = run_loss(torch, args)
            emit({'task': 'loss', 'latent': 200, 'batch': 32, 'hyperspherical_ms': t_hyper * 1e3, 'kl_ms': t_kl * 1e3})
            comp, vae, difference = run_step_pairs(torch, args)
            emit({'task': 'loss-step', 'size': 32, 'latent': 200, 'batch': 32, 'comp_step_ms': comp * 1e3,
                  'vae_step_ms': vae * 1e3, 'overhead': difference / vae})

    if 'sklearn' in env:
        import numpy as np
        if 'knn' in only:
            from sklearn.neighbors import NearestNeighbors
            rng = np.random.default_rng(args.seed)
            bank = np.load(args.knn_bank) if args.knn_bank else rng.standard_normal((50000, 128), dtype=np.float32)
            queries = np.load(args.knn_queries) if args.knn_queries else rng.standard_normal((20000, 128), dtype=np.float32)
            start = time.perf_counter()
            index = NearestNeighbors(n_neighbors=3).fit(bank)
            distances, _ = index.kneighbors(queries)
            scores = distances.mean(1)
            seconds = time.perf_counter() - start
            emit({'task': 'knn', 'bank': bank.shape[0], 'queries': queries.shape[0], 'dims': bank.shape[1], 'k': 3,
                  'seconds': seconds, 'score_checksum': float(scores.sum()), 'algorithm': index._fit_method})
        if 'iforest' in only:
            from sklearn.ensemble import IsolationForest
            rng = np.random.default_rng(args.seed)
            data = np.load(args.iforest_data) if args.iforest_data else rng.random((10000, 4096), dtype=np.float32)
            start = time.perf_counter()
            forest = IsolationForest(n_estimators=100, max_samples=256, random_state=0).fit(data)
            fitted = time.perf_counter()
            scores = -forest.score_samples(data)
            end = time.perf_counter()
            emit({'task': 'iforest', 'rows': data.shape[0], 'cols': data.shape[1], 'fit_seconds': fitted - start,
                  'score_seconds': end - fitted, 'seconds': end - start, 'score_mean': float(scores.mean())})
    return 0


if __name__ == '__main__':
    sys.exit(main())
