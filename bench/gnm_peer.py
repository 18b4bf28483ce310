#!/usr/bin/python3
"""The reference speed for generative network models: a straightforward NumPy implementation of
BCT's generative_model (matching rule, power laws) and evaluate_generative_model, as the MATLAB
code does it (fresh cumulative sum over all pairs at every step; matching index recomputed for the
nodes sharing a neighbour with the new edge's ends). Prints the mean seconds per evaluation.
usage: gnm_peer.py MATRIX.csv POSITIONS.csv EVALUATIONS ETA GAMMA"""
import sys
import time

import numpy as np
from scipy.stats import ks_2samp
import networkx as nx

A = np.loadtxt(sys.argv[1], delimiter=',')
A = ((A + A.T) > 0).astype(float)
np.fill_diagonal(A, 0)
xy = np.loadtxt(sys.argv[2], delimiter=',')
evals, eta, gam = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
n = len(A)
D = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
m = int(A.sum() // 2)
eps = 1e-5


def clustering(B):
    k = B.sum(1)
    tri = np.diag(B @ B @ B)
    with np.errstate(divide='ignore', invalid='ignore'):
        c = np.where(k > 1, tri / (k * (k - 1)), 0.0)
    return c


def stats(B):
    g = nx.from_numpy_array(B)
    bc = np.array(list(nx.betweenness_centrality(g, normalized=False).values())) * 2
    return [B.sum(1), clustering(B), bc, D[np.triu(B, 1) > 0]]


def matching(B, i, j):
    use = (B[i] + B[j]) > 0
    use[i] = use[j] = False
    ncon = B[i, use].sum() + B[j, use].sum()
    return 0.0 if ncon == 0 else 2 * (B[i, use] * B[j, use]).sum() / ncon


target = stats(A)
u, v = np.triu_indices(n, 1)
with np.errstate(divide="ignore"):
    Fd = D ** eta  # the diagonal (0 ** η) is never drawn
rng = np.random.default_rng(0)
t0 = time.perf_counter()
for e in range(evals):
    B = np.zeros((n, n))
    K = np.full((n, n), eps)
    for step in range(m):
        P = (Fd * K ** gam * (B == 0))[u, v]
        C = np.cumsum(P)
        r = np.searchsorted(C, rng.random() * C[-1], side='right')
        a, b = u[r], v[r]
        B[a, b] = B[b, a] = 1
        for x in (a, b):
            for j in np.flatnonzero(B @ B[:, x]):
                if j != a and j != b:
                    K[x, j] = K[j, x] = matching(B, x, j) + eps
    s = stats(B)
    energy = max(ks_2samp(target[k], s[k]).statistic for k in range(4))
print((time.perf_counter() - t0) / evals)
