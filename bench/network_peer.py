#!/usr/bin/python3
"""scikit-learn's graphical lasso on the same covariance at the same alpha (bench/network.sh).

usage: network_peer.py COVARIANCE.csv ALPHA OURS_PRECISION.csv RUNS
Prints JSON: sklearn's median seconds over RUNS, its iterations, and the objective
tr(S P) - log det P + alpha * sum_{i != j} |P_ij| of sklearn's and of our precision (same formula).
"""
import json, statistics, sys, time, warnings
import numpy as np
from sklearn.covariance import graphical_lasso

S = np.loadtxt(sys.argv[1], delimiter=",")
alpha = float(sys.argv[2])
ours = np.loadtxt(sys.argv[3], delimiter=",")
runs = int(sys.argv[4])

def objective(P):
    sign, logdet = np.linalg.slogdet(P)
    if sign <= 0:
        return float("inf")
    return float(np.sum(S * P) - logdet + alpha * (np.abs(P).sum() - np.abs(np.diag(P)).sum()))

times = []
for _ in range(runs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        cov, prec, n_iter = graphical_lasso(S, alpha=alpha, mode="cd", tol=1e-4, max_iter=100, return_n_iter=True)
        times.append(time.perf_counter() - t0)
p = S.shape[0]
edges = int((np.abs(np.triu(prec, 1)) > 0).sum())
print(json.dumps({"sklearn_seconds": statistics.median(times), "sklearn_runs": times, "sklearn_iterations": int(n_iter),
                  "sklearn_edges": edges, "objective_sklearn": objective(prec), "objective_ours": objective(ours),
                  "max_abs_difference": float(np.abs(prec - ours).max())}))
