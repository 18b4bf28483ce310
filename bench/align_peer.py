#!/usr/bin/python3
"""POT on exactly the problem nm_bench_align exported (cost.npy, geometry.npy, plan.npy):
ot.gromov.fused_gromov_wasserstein (balanced, conditional gradient with exact EMD) timed, and the
FGW objective (1-a)<M,T> + a sum (C1_ik - C2_jl)^2 T_ij T_kl of POT's plan and of NeuroMosaic's
(both evaluated here by POT's own gwloss), plus one call of ot.unbalanced.mm_unbalanced timed.
Prints JSON.  usage: align_peer.py DIR ALPHA MM_ITERATIONS"""
import json, sys, time
import numpy as np
import ot
from ot.gromov import init_matrix, gwloss

d, alpha, mm_iters = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
M = np.load(f"{d}/cost.npy")
C = np.load(f"{d}/geometry.npy")
ours = np.load(f"{d}/plan.npy")
n = len(C)
p = np.ones(n) / n

def fgw_objective(T):
    constC, hC1, hC2 = init_matrix(C, C, p, p, "square_loss")
    return float((1 - alpha) * np.sum(M * T) + alpha * gwloss(constC, hC1, hC2, T))

out = {"vertices": n}
t0 = time.perf_counter()
T, log = ot.gromov.fused_gromov_wasserstein(M, C, C, p, p, "square_loss", alpha=alpha, log=True)
out["pot_fgw_seconds"] = time.perf_counter() - t0
out["pot_fgw_objective"] = fgw_objective(T)
# ours is unbalanced and entropic: compare it as a plan of the balanced problem after fixing its
# marginals is not meaningful, so the balanced run of ours (rho=inf) is what the script compares
out["ours_fgw_objective"] = fgw_objective(ours)
out["ours_marginal_l1"] = float(np.abs(ours.sum(1) - p).sum() + np.abs(ours.sum(0) - p).sum())
# the inner step: one unbalanced MM solve on the feature cost
t0 = time.perf_counter()
G = ot.unbalanced.mm_unbalanced(p, p, M, 1.0, numItermax=mm_iters, stopThr=0)
out["pot_mm_seconds"] = time.perf_counter() - t0
out["pot_mm_iterations"] = mm_iters
print(json.dumps(out))
