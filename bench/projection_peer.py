#!/usr/bin/python3
"""The peer for volume -> surface projection: nilearn's vol_to_surf 'line' kernel, written
with scipy.ndimage.map_coordinates (nilearn is not packaged in Debian 12). Reads the maps and the
surfaces written by the C++ side, projects every map, checks the result against ours and prints
the time. Usage: projection_peer.py DIR SURFACE_DIR"""
import json, sys, time
import nibabel as nib
import numpy as np
from scipy.ndimage import map_coordinates

out, surf = sys.argv[1], sys.argv[2]
img = nib.load(out + "/maps.nii")
data = np.asarray(img.dataobj, dtype=np.float32)
inv = np.linalg.inv(img.affine)
result = {}
start = time.perf_counter()
for side in ("left", "right"):
    white = nib.load(f"{surf}/white_{side}.gii").darrays[0].data.astype(np.float64)
    pial = nib.load(f"{surf}/pial_{side}.gii").darrays[0].data.astype(np.float64)
    depths = np.linspace(0, 1, 5)
    pts = np.concatenate([(1 - f) * white + f * pial for f in depths])  # (5n, 3)
    vox = (inv[:3, :3] @ pts.T) + inv[:3, 3:4]
    n = len(white)
    values = np.empty((n, data.shape[3]), np.float32)
    for t in range(data.shape[3]):
        s = map_coordinates(data[..., t], vox, order=1, mode="constant", cval=np.nan)
        values[:, t] = np.nanmean(s.reshape(5, n), axis=0)
    result[side] = np.nan_to_num(values)
elapsed = time.perf_counter() - start
err = max(float(np.max(np.abs(result[s] - np.load(f"{out}/ours_{s}.npy")))) for s in ("left", "right"))
print(json.dumps({"peer_project_s": round(elapsed, 3), "max_abs_difference": err}))
