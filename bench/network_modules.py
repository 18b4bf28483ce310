#!/usr/bin/python3
"""Modules of the HCP Schaefer-400 graphical-lasso network vs the Schaefer 7 networks (bench/network.sh).

usage: network_modules.py CORRELATION.csv PRECISION.csv
The Schaefer 2018 400-parcel 7-network order (Schaefer2018_400Parcels_7Networks_order, which
BrainSpace's matrices follow) lists parcels network by network in each hemisphere; the counts below
are read off that label table (LH 1-200, RH 201-400). Leiden (igraph, modularity, best of 20 seeds)
on the positive partial correlations of our precision and, for comparison, on the positive
correlations thresholded at the same density; adjusted Rand index and NMI against the 7 networks.
"""
import sys
import igraph as ig
import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

NETWORKS = ["Vis", "SomMot", "DorsAttn", "SalVentAttn", "Limbic", "Cont", "Default"]
COUNTS = {"LH": [31, 37, 23, 22, 13, 22, 52], "RH": [30, 40, 23, 25, 13, 30, 39]}
truth = np.concatenate([np.repeat(np.arange(7), COUNTS[h]) for h in ("LH", "RH")])
C = np.loadtxt(sys.argv[1], delimiter=",")
P = np.loadtxt(sys.argv[2], delimiter=",")
assert C.shape == (400, 400) and truth.size == 400
d = np.sqrt(np.diag(P))
pc = -P / np.outer(d, d)
np.fill_diagonal(pc, 0)
def leiden(W):
    W = np.triu(np.where(W > 0, W, 0), 1)
    i, j = np.nonzero(W)
    g = ig.Graph(n=W.shape[0], edges=list(zip(i.tolist(), j.tolist())))
    g.es["weight"] = W[i, j].tolist()
    parts = []
    for s in range(20):
        ig.set_random_number_generator(__import__("random").Random(s))
        parts.append(g.community_leiden(objective_function="modularity", weights="weight", n_iterations=-1))
    best = max(parts, key=lambda c: c.modularity)
    return np.array(best.membership), best.modularity, len(i)
m_pc, q_pc, e_pc = leiden(pc)
# correlation graph at the same number of positive edges
c = C.copy()
np.fill_diagonal(c, 0)
thr = np.sort(np.triu(c, 1)[np.triu_indices(400, 1)])[::-1][e_pc - 1]
m_c, q_c, _ = leiden(np.where(c >= thr, c, 0))
within = np.mean([C[a, b] for a in range(400) for b in range(a + 1, 400) if truth[a] == truth[b]])
between = np.mean([C[a, b] for a in range(400) for b in range(a + 1, 400) if truth[a] != truth[b]])
for name, m, q in (("graphical lasso (positive partial correlations)", m_pc, q_pc), ("correlation, same edge count", m_c, q_c)):
    print(f"| {name} | {e_pc} | {m.max() + 1} | {q:.3f} | {adjusted_rand_score(truth, m):.3f} | {normalized_mutual_info_score(truth, m):.3f} |")
print(f"\nOrder check: Schaefer order read right if within > between —: mean correlation within Schaefer networks {within:.3f}, between {between:.3f}")
