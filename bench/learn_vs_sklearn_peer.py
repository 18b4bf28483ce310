#!/usr/bin/python3
"""scikit-learn's MiniBatchDictionaryLearning on the data NeuroMosaic learns from, the way nilearn's
DictLearning uses it for sparse spatial maps: samples = voxels (their time courses), dictionary =
k time courses, sparse positive codes = the maps (Lasso, coordinate descent). Fits in minibatches of
voxels and records, at checkpoints, the held-out explained variance of the maps (least-squares
reconstruction of the held-out volumes, the same R² NeuroMosaic reports) and the time spent fitting
plus producing the maps (the final transform is part of the method: it is how the maps are obtained).

With FORMULATION=maps instead (the modl/SOMF formulation, which the SOMF papers compare with
Mairal et al.'s online dictionary learning, i.e. this estimator): samples = volumes, dictionary =
the k maps (dense, unit L2 norm: scikit-learn cannot make atoms sparse), sparse codes = time courses;
no transform is needed to obtain the maps.

usage: learn_vs_sklearn_peer.py DATA_DIR K ALPHA CHECKPOINTS(comma-separated batch counts) [BATCH=256] [FORMULATION=codes|maps]
prints one JSON object per checkpoint."""
import json
import sys
import time

import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning

data, k, alpha = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
checkpoints = [int(c) for c in sys.argv[4].split(',')]
batch = int(sys.argv[5]) if len(sys.argv) > 5 else 256
formulation = sys.argv[6] if len(sys.argv) > 6 else 'codes'
train = np.load(f'{data}/train.npy')
held = np.load(f'{data}/held_out.npy').astype(np.float64)
if formulation == 'codes':
    voxels = np.ascontiguousarray(train.T)  # p × n: one sample per voxel
    del train
else:
    voxels = train  # n × p: one sample per volume
total = (held * held).sum()


def explained_variance(maps):
    """R² of the held-out volumes by least squares on the maps (k × p)."""
    maps = maps.astype(np.float64)
    gram = maps @ maps.T
    gram[np.diag_indices_from(gram)] += 1e-10 * max(np.trace(gram), 1e-30) / len(gram)
    codes = np.linalg.solve(gram, maps @ held.T)
    return float((codes * (maps @ held.T)).sum() / total)


model = MiniBatchDictionaryLearning(n_components=k, alpha=alpha, batch_size=batch, positive_code=True, fit_algorithm='cd',
                                    transform_algorithm='lasso_cd', transform_alpha=alpha, random_state=0)
rng = np.random.RandomState(0)
order = np.concatenate([rng.permutation(voxels.shape[0]) for _ in range(1 + max(checkpoints) * batch // voxels.shape[0])])
fit_seconds, done = 0.0, 0
for c in checkpoints:
    t = time.perf_counter()
    while done < c:
        model.partial_fit(voxels[order[done * batch:(done + 1) * batch]])
        done += 1
    fit_seconds += time.perf_counter() - t
    t = time.perf_counter()
    maps = model.transform(voxels).T if formulation == 'codes' else model.components_  # k × p
    transform_seconds = time.perf_counter() - t
    print(json.dumps({'formulation': formulation, 'batches': c, 'epochs': c * batch / voxels.shape[0], 'fit_seconds': fit_seconds,
                      'transform_seconds': transform_seconds, 'seconds': fit_seconds + transform_seconds,
                      'explained_variance': explained_variance(maps), 'density': float((maps != 0).mean())}), flush=True)
