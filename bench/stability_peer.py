#!/usr/bin/env python3
"""The peer of bench/stability_vs_sklearn.sh: the same randomised-lasso fits as NeuroMosaic's
stability selection (the subsamples, penalty factors and penalty path that nm_bench_semantics wrote),
done with scikit-learn's L1 LogisticRegression; times them and compares the coefficients.
A penalty factor f_j on feature j equals the plain penalty on x_j / f_j (beta_j = gamma_j / f_j);
lambda = 1 / (C n) (scikit-learn sums the loss, NeuroMosaic averages it).
usage: stability_peer.py DIR SOLVER(liblinear|saga) [SUBSAMPLES: the first N only; the time is scaled to all]"""
import json, sys, time, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.exceptions import ConvergenceWarning

d, solver = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
X, y = np.load(f'{d}/X.npy'), np.load(f'{d}/y.npy').ravel()
rows, factors = np.load(f'{d}/rows.npy'), np.load(f'{d}/factors.npy')
lambdas, ours = np.load(f'{d}/lambdas.npy').ravel(), np.load(f'{d}/coefficients.npy')
p = X.shape[1]
warnings.simplefilter('ignore', ConvergenceWarning)
t0 = time.perf_counter()
diffs, support = [], []
done = rows.shape[0] if limit is None else min(limit, rows.shape[0])
for b in range(done):
    r = rows[b] > 0.5
    Xs, ys = X[r] / factors[b], y[r]
    n = len(ys)
    kw = dict(penalty='l1', solver=solver, tol=1e-6, max_iter=10000)
    if solver == 'liblinear':
        kw['intercept_scaling'] = 100.0  # liblinear penalises the intercept; a large scaling makes that negligible
    else:
        kw['warm_start'] = True
    m = LogisticRegression(C=1.0, **kw)
    for l, lam in enumerate(lambdas):
        m.set_params(C=1.0 / (lam * n))
        m.fit(Xs, ys)
        beta = m.coef_.ravel() / factors[b]
        ob = ours[b, l * p:(l + 1) * p]
        diffs.append(float(np.max(np.abs(beta - ob))))
        support.append(float(np.mean((np.abs(beta) > 1e-8) == (ob != 0))))
seconds = (time.perf_counter() - t0) * rows.shape[0] / done
print(json.dumps({'solver': solver, 'seconds': seconds, 'subsamples_run': done, 'fits': int(rows.shape[0] * len(lambdas)),
                  'max_abs_coefficient_difference': max(diffs), 'median_abs_coefficient_difference': float(np.median(diffs)),
                  'support_agreement': float(np.mean(support))}))
