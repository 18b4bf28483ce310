#!/usr/bin/env python3
"""The peer of bench/literature.sh: NiMARE's MKDAChi2 for one term, written out in NumPy as NiMARE
runs it per term (nimare.meta.cbma.mkda.MKDAChi2 with MKDAKernel r=10 mm): the modeled-activation
maps of the term's studies and of all the other studies are made from their coordinates (binary
10 mm spheres, max not sum), summed per voxel, and the two-way chi-square of term x activation gives
the association z-map. Times a few terms and extrapolates to the whole vocabulary.
usage: literature_peer.py NEUROQUERY_DIR OURS_DIR TERM[,TERM...]"""
import csv, glob, gzip, json, os, sys, time
import numpy as np
import scipy.sparse as sp

nq, ours, terms = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
affine = np.load(os.path.join(ours, 'affine.npy'))
mask = np.load(os.path.join(ours, 'mask_voxels.npy')).ravel().astype(np.int64)
ourz = np.load(os.path.join(ours, 'z.npy'))
dims = (46, 55, 46)

def table(path):
    with gzip.open(path, 'rt', newline='') as f:
        rows = list(csv.reader(f, delimiter='\t'))
    return rows[0], rows[1:]

mh, mrows = table(glob.glob(os.path.join(nq, '*_metadata.tsv.gz'))[0])
ids = [r[mh.index('id')] for r in mrows]
index = {s: i for i, s in enumerate(ids)}
ch, crows = table(glob.glob(os.path.join(nq, '*_coordinates.tsv.gz'))[0])
xyz = np.array([[float(r[ch.index(c)]) for c in 'xyz'] for r in crows])
study = np.array([index.get(r[ch.index('id')], -1) for r in crows])
keep = study >= 0
xyz, study = xyz[keep], study[keep]
vocab = [l.strip() for l in open(glob.glob(os.path.join(nq, '*_vocabulary.txt'))[0]) if l.strip()]
feats = None
for f in sorted(glob.glob(os.path.join(nq, '*_type-count_features.npz'))):
    m = sp.load_npz(f)
    feats = m if feats is None else feats + m
feats = feats.tocsc()
has_peaks = np.zeros(len(ids), bool)
has_peaks[study] = True
ijk = (np.c_[xyz, np.ones(len(xyz))] @ np.linalg.inv(affine).T)[:, :3].astype(int)  # nimare.utils.mm2vox
r = np.arange(-3, 4)
off = np.array(np.meshgrid(r, r, r, indexing='ij')).reshape(3, -1).T
off = off[np.linalg.norm(off * 4.0, axis=1) <= 10.0]
in_mask = np.full(np.prod(dims), -1)
in_mask[mask] = np.arange(len(mask))
order = np.argsort(study, kind='stable')
starts = np.searchsorted(study[order], np.arange(len(ids) + 1))

def ma_counts(studies):
    """Sum over studies of binary MA maps (union of spheres), as NiMARE's MKDAKernel transform."""
    counts = np.zeros(len(mask))
    for s in studies:
        p = ijk[order[starts[s]:starts[s + 1]]]
        v = (p[:, None, :] + off[None, :, :]).reshape(-1, 3)
        ok = np.all((v >= 0) & (v < dims), axis=1)
        lin = np.ravel_multi_index(v[ok].T, dims, order='F')
        m = np.unique(in_mask[lin])
        counts[m[m >= 0]] += 1
    return counts

times, rs = [], []
for t, term in enumerate(terms):
    t0 = time.perf_counter()
    col = feats[:, vocab.index(term)].toarray().ravel()
    sel = np.where((col > 0) & has_peaks)[0]
    uns = np.where((col <= 0) & has_peaks)[0]
    a, b = ma_counts(sel), ma_counts(uns)
    n1, n2 = len(sel), len(uns)
    N = n1 + n2
    row0 = a + b
    row1 = N - row0
    with np.errstate(divide='ignore', invalid='ignore'):
        chi2 = N * (a * n2 - b * n1) ** 2 / (row0 * row1 * n1 * n2)
    chi2[row0 * row1 == 0] = 0
    z = np.sqrt(chi2) * np.sign(a / n1 - b / n2)
    times.append(time.perf_counter() - t0)
    rs.append(float(np.corrcoef(z, ourz[:, t])[0, 1]))
print(json.dumps({'terms': terms, 'seconds_per_term': times, 'r_with_ours': rs}))
