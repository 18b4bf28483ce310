#!/bin/bash
# Network measures of a ~1000-node weighted network: `neuromosaic-cli graph metrics` (degree,
# strength, weighted clustering, weighted paths and efficiency, local efficiency, weighted
# betweenness, Leiden best of 20, participation, z, node roles, assortativity) against the same set with networkx and with python-igraph,
# each timed in the same run (medians of RUNS). The network: 1000 random points in a 3-D box,
# each linked to others with probability exp(−d/18), weights = 1/(1+d); 30,034 edges (density 6 %).
#   bench/graph_metrics.sh [BUILD_DIR=build/release] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
RUNS=${2:-3}
CLI=$BUILD/bin/neuromosaic-cli
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "# graph_metrics: $(nproc) cores, $(date -u +%F); command: $0 $*"
/usr/bin/python3 - "$TMP/net.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(1)
n = 1000
xyz = rng.uniform(0, 100, (n, 3))
d = np.sqrt(((xyz[:, None] - xyz[None]) ** 2).sum(-1))
p = np.exp(-d / 18.0)
a = np.triu(rng.random((n, n)) < p, 1)
w = np.where(a, 1.0 / (1.0 + d), 0.0)
w = w + w.T
np.savetxt(sys.argv[1], w, delimiter=',', fmt='%.6g')
print(f'# network: {n} nodes, {int(a.sum())} edges, density {a.sum() / (n * (n - 1) / 2):.3f}')
PY
ours=()
for r in $(seq "$RUNS"); do
  s=$(date +%s.%N); "$CLI" graph metrics "$TMP/net.csv" --progress none -o "$TMP/ours.json" --nodes "$TMP/nodes.tsv" >/dev/null; e=$(date +%s.%N)
  ours+=("$(echo "$e - $s" | bc)")
done
/usr/bin/python3 - "$TMP/net.csv" "$TMP/ours.json" "$RUNS" "${ours[@]}" <<'PY'
import csv, json, os, statistics, sys, time
import numpy as np, networkx as nx, igraph as ig
W = np.loadtxt(sys.argv[1], delimiter=',')
ours = json.load(open(sys.argv[2]))
with open(os.path.join(os.path.dirname(sys.argv[1]), 'nodes.tsv')) as f:
    ours_bc = np.array([float(r['betweenness']) for r in csv.DictReader(f, delimiter='\t')]) / 2  # ordered pairs (BCT) → unordered
runs = int(sys.argv[3]); t_ours = statistics.median(float(x) for x in sys.argv[4:4 + runs])
n = len(W)
Wn = W / W.max()
def with_networkx():
    g = nx.from_numpy_array(Wn)
    for u, v, d in g.edges(data=True): d['length'] = 1.0 / d['weight']
    out = {}
    out['degree'] = dict(g.degree()); out['strength'] = dict(g.degree(weight='weight'))
    out['clustering'] = np.mean(list(nx.clustering(g, weight='weight').values()))
    dist = dict(nx.all_pairs_dijkstra_path_length(g, weight='length'))
    L = [dist[i][j] for i in dist for j in dist[i] if i != j]
    out['path'] = np.mean(L); out['efficiency'] = np.sum(1.0 / np.array(L)) / (n * (n - 1))
    out['local_efficiency'] = nx.local_efficiency(g)
    best = max((nx.community.louvain_communities(g, weight='weight', seed=s) for s in range(20)), key=lambda c: nx.community.modularity(g, c, weight='weight'))
    out['q'] = nx.community.modularity(g, best, weight='weight')
    out['assortativity'] = nx.degree_assortativity_coefficient(g, weight='weight')
    out['betweenness'] = np.array([v for _, v in sorted(nx.betweenness_centrality(g, weight='length', normalized=False).items())])
    return out
def with_igraph():
    g = ig.Graph.Weighted_Adjacency(Wn.tolist(), mode='undirected', attr='weight', loops=False)
    g.es['length'] = [1.0 / w for w in g.es['weight']]
    out = {}
    out['degree'] = g.degree(); out['strength'] = g.strength(weights='weight')
    out['clustering'] = np.nanmean(g.transitivity_local_undirected(weights='weight', mode='zero'))
    D = np.array(g.distances(weights='length')); off = ~np.eye(n, dtype=bool)
    out['path'] = D[off].mean(); out['efficiency'] = (1.0 / D[off]).sum() / (n * (n - 1))
    # local efficiency: igraph has no weighted version; binary, per node, as networkx
    le = []
    for v in range(n):
        nb = g.neighbors(v)
        if len(nb) < 2: le.append(0.0); continue
        sub = g.induced_subgraph(nb)
        Ds = np.array(sub.distances()); o = ~np.eye(len(nb), dtype=bool)
        le.append((1.0 / Ds[o]).sum() / (len(nb) * (len(nb) - 1)))
    out['local_efficiency'] = np.mean(le)
    best = max((g.community_leiden(objective_function='modularity', weights='weight', n_iterations=-1) for s in range(20)), key=lambda c: c.modularity)
    out['q'] = g.modularity(best, weights='weight')
    out['assortativity'] = g.assortativity_degree(directed=False)
    out['betweenness'] = np.array(g.betweenness(weights='length'))
    return out
def timed(f):
    ts = []; out = None
    for _ in range(runs):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts), out
t_nx, o_nx = timed(with_networkx)
t_ig, o_ig = timed(with_igraph)
print(f"NeuroMosaic  {t_ours:7.2f} s (whole CLI run: reading the CSV included)   Q {ours['modularity']['q']:.4f}  clustering {ours['mean_clustering']:.4f}  efficiency {ours['global_efficiency']:.4f}  local eff. (binary) {ours['mean_local_efficiency_binary']:.4f}")
print(f"networkx     {t_nx:7.2f} s   Q {o_nx['q']:.4f} (Louvain)  clustering {o_nx['clustering']:.4f}  efficiency {o_nx['efficiency']:.4f}  local eff. {o_nx['local_efficiency']:.4f}   ratio {t_nx / t_ours:.1f}x")
print(f"igraph       {t_ig:7.2f} s   Q {o_ig['q']:.4f} (Leiden)   clustering {o_ig['clustering']:.4f}  efficiency {o_ig['efficiency']:.4f}  local eff. {o_ig['local_efficiency']:.4f}   ratio {t_ig / t_ours:.1f}x")
for name, o in (("networkx", o_nx), ("igraph", o_ig)):
    print(f"weighted betweenness: largest |ours - {name}| = {np.abs(ours_bc - o['betweenness']).max():.3g} (max {ours_bc.max():.1f})")
print("(weighted clustering: BCT/Onnela on w/max(w) in ours and networkx; igraph uses Barrat's weighted definition, so its value differs)")
PY
