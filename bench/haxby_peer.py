#!/usr/bin/env python3
"""The peer of bench/haxby.sh: scikit-learn's LinearSVC and LogisticRegression (defaults, C = 1) on the
features nm_bench_semantics wrote, leave one run out. usage: haxby_peer.py DIR"""
import json, sys, time, warnings
import numpy as np
from sklearn.svm import LinearSVC
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut, cross_val_score
from sklearn.exceptions import ConvergenceWarning
warnings.simplefilter('ignore', ConvergenceWarning)
X = np.load(f'{sys.argv[1]}/X.npy')
yr = np.load(f'{sys.argv[1]}/y_runs.npy')
y, groups = yr[:, 0].astype(int), yr[:, 1].astype(int)
out = {}
for name, model in (('LinearSVC', LinearSVC()), ('LogisticRegression', LogisticRegression(max_iter=2000))):
    t0 = time.perf_counter()
    s = cross_val_score(model, X, y, groups=groups, cv=LeaveOneGroupOut())
    out[name] = {'accuracy': float(np.mean(s)), 'seconds': time.perf_counter() - t0}
print(json.dumps(out))
