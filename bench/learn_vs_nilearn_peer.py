#!/usr/bin/python3
"""The peer side of bench/learn_vs_nilearn.sh, and the one evaluation both sides are scored by.

  learn_vs_nilearn_peer.py images DATA OUTDIR
      Rebuilds each training subject's cleaned 4-D image from `learn --dump-data` (train.npy, the
      rows per subject in subjects.json, mask.nii.gz; voxels in grid order, i fastest), so that
      nilearn is trained on exactly the data `learn` trains on.
  learn_vs_nilearn_peer.py fit DATA IMAGEDIR K EPOCHS SEED ALPHA OUT.nii.gz
      nilearn.decomposition.DictLearning on those images (mask given, no smoothing, detrending or
      standardisation: the images are already cleaned and z-scored as `learn` cleans them); its
      per-subject reduction and CanICA initialisation as shipped. Prints one JSON line with the
      fit's wall time (loading the images included: nilearn streams them from disk as a user's
      fit would; writing the maps excluded).
  learn_vs_nilearn_peer.py haxby SRC OUTDIR
      The real Haxby 2001 slice (one subject, 12 runs) as a BIDS dataset with each run as its own
      pseudo-subject (sub-runNN), so that `learn --held-out` holds whole runs out.
  learn_vs_nilearn_peer.py score DATA MAPS.nii.gz [...]
      Held-out explained variance of each 4-D maps image: the held-out rows (held_out.npy) fitted
      by least squares on the maps over the mask's voxels, 1 - |X - C M|^2 / |X|^2 pooled over all
      held-out volumes, and the maps' density (fraction of non-zero loadings). One JSON line each.
"""
import json
import os
import sys
import time

import nibabel as nib
import numpy as np


def mask_index(data):
    mask = nib.load(os.path.join(data, "mask.nii.gz"))
    flat = np.asarray(mask.dataobj).reshape(-1, order="F") > 0
    return mask, np.flatnonzero(flat)


def images(data, outdir):
    meta = json.load(open(os.path.join(data, "subjects.json")))
    mask, idx = mask_index(data)
    shape = mask.shape[:3]
    X = np.load(os.path.join(data, "train.npy"), mmap_mode="r")
    row = 0
    os.makedirs(outdir, exist_ok=True)
    for name, n in zip(meta["train"], meta["train_volumes"]):
        vol = np.zeros((int(np.prod(shape)), n), np.float32)
        vol[idx] = np.asarray(X[row:row + n], dtype=np.float32).T
        row += n
        img = nib.Nifti1Image(vol.reshape(shape + (n,), order="F"), mask.affine)
        nib.save(img, os.path.join(outdir, name.replace("/", "_") + ".nii"))
    if row != X.shape[0]:
        sys.exit(f"{data}/subjects.json: train_volumes sum to {row}, train.npy has {X.shape[0]} rows")


def fit(data, imagedir, k, epochs, seed, alpha, out):
    import warnings

    from nilearn.decomposition import DictLearning

    warnings.filterwarnings("ignore", category=FutureWarning)  # scikit-learn 1.2's n_iter deprecation, inside nilearn

    mask, _ = mask_index(data)
    meta = json.load(open(os.path.join(data, "subjects.json")))
    files = [os.path.join(imagedir, name.replace("/", "_") + ".nii") for name in meta["train"]]
    dl = DictLearning(n_components=k, n_epochs=epochs, alpha=alpha, random_state=seed, mask=mask, smoothing_fwhm=None,
                      standardize=False, detrend=False, n_jobs=1)
    t0 = time.perf_counter()
    dl.fit(files)
    seconds = time.perf_counter() - t0
    dl.components_img_.to_filename(out)
    print(json.dumps({"k": k, "epochs": epochs, "seed": seed, "alpha": alpha, "seconds": seconds, "maps": out}))


def haxby(src, outdir):
    img = nib.load(os.path.join(src, "bold.nii.gz"))
    data = np.asarray(img.dataobj, dtype=np.float32)
    chunks = np.loadtxt(os.path.join(src, "attributes.txt"), dtype=int)[:, 1]
    if chunks.shape[0] != data.shape[3]:
        sys.exit(f"{src}/attributes.txt: {chunks.shape[0]} rows for {data.shape[3]} volumes")
    os.makedirs(outdir, exist_ok=True)
    json.dump({"Name": "Haxby 2001 slice, runs as pseudo-subjects", "BIDSVersion": "1.8.0"}, open(os.path.join(outdir, "dataset_description.json"), "w"))
    for c in np.unique(chunks):
        sub = f"run{c + 1:02d}"
        d = os.path.join(outdir, f"sub-{sub}", "func")
        os.makedirs(d, exist_ok=True)
        out = nib.Nifti1Image(data[..., chunks == c], img.affine, img.header)
        out.header.set_zooms(img.header.get_zooms()[:3] + (2.5,))
        nib.save(out, os.path.join(d, f"sub-{sub}_task-objects_bold.nii.gz"))
        json.dump({"RepetitionTime": 2.5, "TaskName": "objects"}, open(os.path.join(d, f"sub-{sub}_task-objects_bold.json"), "w"))


def score(data, maps_files):
    _, idx = mask_index(data)
    X = np.load(os.path.join(data, "held_out.npy")).astype(np.float64)
    total = float(np.einsum("ij,ij->", X, X))
    for f in maps_files:
        img = nib.load(f)
        m = np.asarray(img.dataobj, dtype=np.float64)
        M = m.reshape(-1, m.shape[3], order="F")[idx].T  # k x p, the mask's voxels
        # Least squares codes C = X M^T (M M^T)^+ (maps need not be orthogonal or non-degenerate).
        G = M @ M.T
        C = np.linalg.lstsq(G, M @ X.T, rcond=None)[0].T
        R = X - C @ M
        ev = 1.0 - float(np.einsum("ij,ij->", R, R)) / total
        print(json.dumps({"maps": f, "components": int(M.shape[0]), "explained_variance": ev,
                          "density": float(np.count_nonzero(M)) / M.size,
                          "negative_fraction": float(np.count_nonzero(M < 0)) / max(1, np.count_nonzero(M))}))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "images" and len(sys.argv) == 4:
        images(sys.argv[2], sys.argv[3])
    elif cmd == "fit" and len(sys.argv) == 9:
        fit(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), sys.argv[8])
    elif cmd == "haxby" and len(sys.argv) == 4:
        haxby(sys.argv[2], sys.argv[3])
    elif cmd == "score" and len(sys.argv) >= 4:
        score(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
