#!/usr/bin/python3
"""Seed corpora for the reader fuzzers (bench/fuzz.sh): OUTDIR/<target>/… from the real files in the
shared data (small ones, or the small parts of big ones) and small files written with nibabel,
NumPy and SciPy (the formats' reference writers) — every encoding a reader supports gets a seed.
The project's own writers add theirs in bench/fuzz.sh (simulate, learn, the session writer).

  fuzz/seeds.py OUTDIR SHARED_DATA
"""
import base64
import gzip
import io
import json
import os
import shutil
import sys
import zipfile
import zlib

import nibabel as nib
import numpy as np
import scipy.sparse as sp

out, data = sys.argv[1], sys.argv[2]


def put(target, name, payload):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(payload)


def copy(target, src, name=None):
    if os.path.exists(src) and os.path.getsize(src) < 1 << 20:
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        shutil.copy(src, os.path.join(d, name or os.path.basename(src)))


def saved(img_or_fn, suffix):
    """Bytes of a nibabel image saved with this suffix."""
    tmp = os.path.join(out, ".tmp" + suffix)
    img_or_fn.to_filename(tmp)
    with open(tmp, "rb") as f:
        b = f.read()
    os.remove(tmp)
    return b


os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
vol = rng.standard_normal((4, 3, 2, 3)).astype(np.float32)
for dtype in (np.float32, np.int16, np.uint8, np.float64):
    img = nib.Nifti1Image(vol.astype(dtype), np.diag([2, 2, 2, 1]))
    img.header.set_xyzt_units("mm", "sec")
    put("nifti", f"nifti1_{np.dtype(dtype).name}.nii", saved(img, ".nii"))
    put("nifti_gz", f"nifti1_{np.dtype(dtype).name}.nii.gz", saved(img, ".nii.gz"))
put("nifti", "nifti2.nii", saved(nib.Nifti2Image(vol, np.eye(4)), ".nii"))
put("nifti_gz", "nifti2.nii.gz", saved(nib.Nifti2Image(vol, np.eye(4)), ".nii.gz"))
scaled = nib.Nifti1Image(vol[..., 0].astype(np.int16), np.eye(4))
scaled.header.set_slope_inter(0.5, 3.0)
put("nifti", "scaled.nii", saved(scaled, ".nii"))
copy("nifti_gz", os.path.join(data, "fmri/haxby2001_slice/mask.nii.gz"))

# GIFTI: every encoding, data arrays and a surface.
coords = rng.standard_normal((4, 3)).astype(np.float32)
faces = np.array([[0, 1, 2], [0, 2, 3]], np.int32)
values = rng.standard_normal(4).astype(np.float32)
for enc in ("ASCII", "B64BIN", "B64GZ"):
    g = nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(values, intent="NIFTI_INTENT_NONE", datatype="NIFTI_TYPE_FLOAT32", encoding=enc)])
    put("gifti", f"func_{enc}.func.gii", saved(g, ".func.gii"))
    s = nib.gifti.GiftiImage(darrays=[
        nib.gifti.GiftiDataArray(coords, intent="NIFTI_INTENT_POINTSET", datatype="NIFTI_TYPE_FLOAT32", encoding=enc),
        nib.gifti.GiftiDataArray(faces, intent="NIFTI_INTENT_TRIANGLE", datatype="NIFTI_TYPE_INT32", encoding=enc)])
    put("gifti_surface", f"surf_{enc}.surf.gii", saved(s, ".surf.gii"))
    put("gifti", f"surf_{enc}.surf.gii", saved(s, ".surf.gii"))
labels = nib.gifti.GiftiImage(darrays=[nib.gifti.GiftiDataArray(np.array([0, 1, 1, 2], np.int32), intent="NIFTI_INTENT_LABEL", datatype="NIFTI_TYPE_INT32")])
lt = nib.gifti.GiftiLabelTable()
for k, name in enumerate(["unknown", "a", "b"]):
    lab = nib.gifti.GiftiLabel(k, 0.1 * k, 0.2, 0.3, 1.0)
    lab.label = name
    lt.labels.append(lab)
labels.labeltable = lt
put("gifti", "labels.label.gii", saved(labels, ".label.gii"))

# FreeSurfer: surface, curv, annot, label, MGH/MGZ.
tmp = os.path.join(out, ".tmp_fs")
nib.freesurfer.write_geometry(tmp, coords, faces)
put("fs_surface", "lh.white", open(tmp, "rb").read())
nib.freesurfer.write_morph_data(tmp, values)
put("fs_curv", "lh.curv", open(tmp, "rb").read())
ctab = np.array([[25, 5, 25, 0, 0], [100, 20, 60, 0, 0], [220, 180, 140, 0, 0]], np.int32)
nib.freesurfer.write_annot(tmp, np.array([0, 1, 1, 2], np.int32), ctab, [b"unknown", b"a", b"b"])
put("fs_annot", "lh.aparc.annot", open(tmp, "rb").read())
os.remove(tmp)
put("fs_label", "lh.cortex.label", b"#!ascii label , from subject fsaverage vox2ras=TkReg\n3\n0  -1.0  2.0  3.0 0.000\n2  4.0  5.0  6.0 0.000\n3  7.5  8.5  9.5 1.000\n")
mgh = nib.MGHImage(vol[..., 0], np.eye(4))
put("mgh", "vol.mgh", saved(mgh, ".mgh"))
put("mgz", "vol.mgz", saved(mgh, ".mgz"))

# Tables, BIDS events.
put("table", "participants.tsv", b"participant_id\tage\tsex\nsub-01\t23\tF\nsub-02\tn/a\tM\n")
put("table", "quoted.tsv", b"name\tvalue\n\"a b\"\t1.5\n#comment\t\n")
put("bids_events", "sub-01_task-x_events.tsv",
    b"onset\tduration\ttrial_type\tresponse_time\n0.0\t2.0\tleft_hand\t0.45\n4.5\t2.0\tright_hand\tn/a\n9\t0\tfixation\t\n")

# NPY / NPZ (dense and scipy's sparse).
for name, arr in {"f8_2d": rng.standard_normal((3, 2)), "f4_1d": rng.standard_normal(5).astype(np.float32),
                  "i8": np.arange(6).reshape(2, 3), "fortran": np.asfortranarray(rng.standard_normal((2, 3))),
                  "big_endian": rng.standard_normal(4).astype(">f8"), "bool": np.array([True, False])}.items():
    b = io.BytesIO()
    np.save(b, arr)
    put("npy", name + ".npy", b.getvalue())
for compressed in (False, True):
    b = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(b, a=rng.standard_normal((2, 2)), b=np.arange(3))
    put("npz", f"dense_{int(compressed)}.npz", b.getvalue())
    b = io.BytesIO()
    sp.save_npz(b, sp.random(5, 4, density=0.4, format="csr", random_state=0), compressed=compressed)
    put("sparse_npz", f"csr_{int(compressed)}.npz", b.getvalue())
    put("npz", f"csr_{int(compressed)}.npz", b.getvalue())
    b = io.BytesIO()
    sp.save_npz(b, sp.random(5, 4, density=0.4, format="csc", random_state=1), compressed=compressed)
    put("sparse_npz", f"csc_{int(compressed)}.npz", b.getvalue())

# Connectomes: matrices, edge lists, GML, a TVB zip (the real 66-region one is 30 kB).
put("connectome_csv", "small.csv", b"0,1,0.5\n1,0,2\n0.5,2,0\n")
put("connectome_csv", "comments.csv", b"# weights\n0, 1\n1, 0\n")
put("connectome_edges", "edges.edges", b"1 2 0.5\n2 3 1\n3 1 2.5\n")
put("connectome_edges", "zero.edges", b"0 1\n1 2\n")
put("connectome_gml", "graph.gml", b'graph [\n directed 0\n node [ id 1 label "a" x 1.0 y 2.0 z 3.0 ]\n node [ id 2 label "b" graphics [ x 0 y 1 z 2 ] ]\n'
                                   b' node [ id 5 ]\n edge [ source 1 target 2 weight 0.5 ]\n edge [ source 2 target 5 value 2 ]\n]\n')
copy("connectome_zip", os.path.join(data, "connectomes/tvb/connectivity_66.zip"))
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("weights.txt", "0 1 2\n1 0 3\n2 3 0\n")
    z.writestr("tract_lengths.txt", "0 10 20\n10 0 30\n20 30 0\n")
    z.writestr("centres.txt", "A 0 0 0\nB 1 0 0\nC 0 1 0\n")
put("connectome_zip", "tiny_tvb.zip", b.getvalue())

# Sessions (the documented example and a minimal one).
session = {"format": "neuromosaic-session", "version": 1, "space": "template", "surface": "inflated", "hemispheres": ["left", "right"], "shading": "sulc",
           "binarize_shading": False, "background": [1.0, 1.0, 1.0], "view": "lateral",
           "camera": {"position": [-1000, -17, 18], "focal_point": [0, -17, 18], "view_up": [0, 0, 1], "view_angle": 30.0,
                      "parallel_scale": 95.0, "parallel_projection": True},
           "layers": [{"file": "maps/zstat1.nii.gz", "name": "", "map": 0, "visible": True, "opacity": 1.0, "colormap": "cold_hot",
                       "vmin": None, "vmax": None, "threshold": 3.1, "sign": "both", "labels": None, "borders": False, "scale": 64}],
           "figure": {"views": ["lateral", "medial"], "montage": True, "scale": 3, "dpi": 300, "title": "", "panel_width": 560, "panel_height": 420}}
put("session", "example.nmsession.json", json.dumps(session, indent=1).encode())
put("session", "minimal.nmsession.json", b'{"format": "neuromosaic-session", "version": 1}')
