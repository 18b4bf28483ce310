#!/usr/bin/env python3
"""The seRNN of Achterberg, Akarca et al. (2023) written in PyTorch: the peer of `ann train` in
bench/ann_sernn.sh. Same model as the authors' Keras notebook (8erberg/spatially-embedded-RNN):
Gaussian input noise 0.05 -> SimpleRNN(100, relu, orthogonal recurrent init) -> Dense(4, softmax),
Adam (lr 1e-3, eps 1e-7), cross-entropy + lambda * sum(|W| * C * D) with
C = expm(S^-1/2 |W| S^-1/2), zero diagonal; the maze task with its timing (20 / 10 / 20 steps,
8 inputs, 4 outputs), batches of 128 in order. Prints one JSON line: seconds, accuracies.
Usage: ann_sernn_peer.py --threads 2 --epochs 10 --lam 0.05 --seed 1
"""
import argparse
import json
import time

import numpy as np
import torch

MAZES = [(9, "ul", "u"), (9, "rd", "r"), (19, "ld", "d"), (17, "rd", "d"),
         (17, "ul", "l"), (7, "ur", "u"), (19, "lr", "r"), (7, "lr", "l")]
GOAL = {7: 0, 9: 1, 17: 2, 19: 3}
DIR = {"l": 0, "u": 1, "r": 2, "d": 3}


def maze(n, rng, goal=20, delay=10, choices=20):
    steps = goal + delay + choices
    x = np.zeros((n, steps, 8), np.float32)
    y = np.zeros(n, np.int64)
    for k, m in enumerate(rng.integers(0, 8, n)):
        g, c, s = MAZES[m]
        x[k, :goal, GOAL[g]] = 1
        for d in c:
            x[k, goal + delay:, 4 + DIR[d]] = 1
        y[k] = DIR[s]
    return torch.from_numpy(x), torch.from_numpy(y)


def grid_distances(nx=5, ny=5, nz=4):
    X, Y, Z = np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz))
    c = np.stack([X.ravel(), Y.ravel(), Z.ravel()], 1).astype(np.float64)
    return torch.from_numpy(np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1)).astype(np.float32))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lam", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--train", type=int, default=5120)
    ap.add_argument("--test", type=int, default=2560)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    xtr, ytr = maze(a.train, rng)
    xva, yva = maze(a.test, rng)
    xte, yte = maze(a.test, rng)
    units, D = 100, grid_distances()
    win = torch.nn.Parameter(torch.empty(8, units).uniform_(-np.sqrt(6 / 108), np.sqrt(6 / 108)))
    wrec = torch.nn.Parameter(torch.nn.init.orthogonal_(torch.empty(units, units)))
    b = torch.nn.Parameter(torch.zeros(units))
    wout = torch.nn.Parameter(torch.empty(units, 4).uniform_(-np.sqrt(6 / 104), np.sqrt(6 / 104)))
    bout = torch.nn.Parameter(torch.zeros(4))
    params = [win, wrec, b, wout, bout]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    eye = torch.eye(units)

    def forward(x):
        drive = x @ win + b
        h = torch.relu(drive[:, 0])
        for t in range(1, x.shape[1]):
            h = torch.relu(drive[:, t] + h @ wrec)
        return h @ wout + bout

    def reg():
        A = wrec.abs()
        r = A.sum(1).clamp_min(1e-30).rsqrt()
        C = torch.matrix_exp(r[:, None] * A * r[None, :]) * (1 - eye)
        return a.lam * (A * C * D).sum()

    def acc(x, y):
        with torch.no_grad():
            return float((forward(x).argmax(1) == y).float().mean())

    t0 = time.perf_counter()
    val = []
    for epoch in range(a.epochs):
        for k in range(0, a.train, 128):
            x = xtr[k:k + 128]
            x = x + 0.05 * torch.randn_like(x)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(forward(x), ytr[k:k + 128]) + reg()
            loss.backward()
            opt.step()
        val.append(acc(xva, yva))
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "validation_accuracy": val, "test_accuracy": acc(xte, yte),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
