#!/usr/bin/python3
"""The group-sparse covariance against nilearn's (bench/network.sh).

usage: network_group_peer.py WORK P SUBJECTS SAMPLES ALPHA_FRACTION
Writes SUBJECTS time series (SAMPLES x P, a shared sparse chain-plus-modules precision) as CSV into
WORK, runs nilearn 0.10.1's _group_sparse_covariance (../shared/peers, tol=1e-4 on the max change,
max_iter 100) at ALPHA_FRACTION * alpha_max on their empirical covariances, saves its precisions,
and prints JSON: nilearn's seconds, iterations and objective (nilearn's own group_sparse_scores).
After our run, `network_group_peer.py score WORK ALPHA` scores our precisions with the same function.
"""
import json, os, sys, time, warnings
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "peers", "nilearn"))
import numpy as np
from nilearn.connectome.group_sparse_cov import _group_sparse_covariance, compute_alpha_max, empirical_covariances, group_sparse_scores

def load(work, k):
    return [np.loadtxt(os.path.join(work, f"sub{s}.csv"), delimiter=",") for s in range(k)]

if sys.argv[1] == "score":
    work, alpha = sys.argv[2], float(sys.argv[3])
    meta = json.load(open(os.path.join(work, "meta.json")))
    series = load(work, meta["subjects"])
    covs, n = empirical_covariances([s / s.std(axis=0) for s in series])
    n = n / n.sum()
    ours = np.stack([np.loadtxt(os.path.join(work, "out", f"sub{s}_precision.csv"), delimiter=",") for s in range(meta["subjects"])], axis=-1)
    print(json.dumps({"objective_ours": group_sparse_scores(ours, n, covs, alpha)[1]}))
    sys.exit(0)

work, p, k, T, frac = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
rng = np.random.RandomState(0)
theta = np.eye(p)
for i in range(p - 1):
    theta[i, i + 1] = theta[i + 1, i] = -0.3
for _ in range(p // 4):
    a, b = rng.randint(0, p, 2)
    if abs(a - b) > 1:
        theta[a, b] = theta[b, a] = 0.15
theta += np.eye(p) * max(0, 0.1 - np.linalg.eigvalsh(theta).min())
L = np.linalg.cholesky(np.linalg.inv(theta))
series = []
for s in range(k):
    x = rng.randn(T, p) @ L.T
    np.savetxt(os.path.join(work, f"sub{s}.csv"), x, delimiter=",")
    series.append(x)
covs, n = empirical_covariances([s / s.std(axis=0) for s in series])
alpha = frac * compute_alpha_max(covs, n)[0]
json.dump({"subjects": k, "alpha": alpha}, open(os.path.join(work, "meta.json"), "w"))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    iters = []
    P = _group_sparse_covariance(covs, n.copy(), alpha, max_iter=100, tol=1e-4,
                                 probe_function=lambda *a: iters.append(a[5]) and False)
    seconds = time.perf_counter() - t0
w = n / n.sum()
print(json.dumps({"alpha": alpha, "nilearn_seconds": seconds, "nilearn_iterations": max(iters) + 1 if iters else None,
                  "objective_nilearn": group_sparse_scores(P, w, covs, alpha)[1],
                  "edges_nilearn": int((np.sqrt((P ** 2).sum(-1))[np.triu_indices(p, 1)] > 0).sum())}))
