"""The customers' social network.

A population of up to a million customers lives on an undirected simple graph (no self-loops, no
multi-edges). Three kinds are available:

* ``small_world`` -- Watts-Strogatz. Every node is linked to its k/2 nearest neighbours on each
  side of a ring, where k is the even integer nearest ``mean_degree`` (at least 2, halves round
  up). Each lattice edge then keeps its near end and, with probability ``p_rewire``, has its far
  end moved to a node drawn uniformly from the whole population. Self-loops and duplicate edges
  created by rewiring are dropped rather than redrawn, so the mean degree is k minus a loss of
  order k/n.
* ``scale_free`` -- Holme-Kim ("scale-free with clustering"). Starting from a clique of m + 1
  nodes, every new node brings m = max(1, round(mean_degree / 2)) edges (halves round up).
  Targets are first chosen by preferential attachment with the Batagelj-Brandes trick: all edge
  endpoints sit in one list M (M[2e] is the new node of edge e, M[2e + 1] its target) and a
  target copies M[r] for r uniform in [0, 2e), so a node is picked with probability proportional
  to its degree so far and never through its own edge. An odd r copies a target that may itself
  be unresolved; since such pointers always go to earlier edges, all targets are resolved at
  once by pointer jumping over arrays in O(log E) rounds. Then triad formation: each edge of a
  new node after the first is, with probability ``p_triangle``, redirected to a uniformly random
  neighbour of the node's first target (a friend of a friend), closing a triangle. One node's
  triad edges take distinct friends; when the first target has run out of candidates, the edge
  keeps its preferential target, as in Holme-Kim.
* ``fully_mixed`` -- no edges at all: at each interaction a customer meets round(mean_degree)
  others (at least one) drawn uniformly at random, with replacement, never itself.

Deviations from the sequential Holme-Kim algorithm, accepted so that a million-node graph builds
in seconds with whole-array numpy operations instead of a Python loop per node:

* a pick that would create a self-loop or a multi-edge is dropped instead of redrawn, so the mean
  degree ends slightly below 2m (by 0.6% at 5,000 nodes and m = 5, 2% at m = 20; less in larger
  graphs);
* preferential attachment is resolved before triad formation, so it sees each redirected edge at
  its preferential target rather than its triad target;
* the friend of a friend is drawn only among the first target's neighbours through edges that
  are not themselves redirected (edges that surely exist, so the triangle is really closed), as
  they were when the new node's first edge was made.

A simpler rule -- redirect to one of the m targets the first target chose itself -- was tried and
rejected: old nodes' targets are older hubs, so hubs gained triad edges faster than in
proportion to their degree, the degree exponent drifted from 3 towards 2.4 and, with redirected
edges fed back into M, a handful of nodes ended up linked to half the population. Drawing a
uniform neighbour of a degree-biased node picks each node in proportion to its degree, as plain
preferential attachment does, so the exponent stays near 3; average clustering is close to that
of networkx's sequential ``powerlaw_cluster_graph`` (0.18 vs 0.19 at 5,000 nodes, m = 5,
p_triangle = 0.5).

Graphs are stored in compressed sparse row (CSR) form: ``indptr`` (int64, n + 1) and ``indices``
(int32, 2 x edges, sorted within each row), built by one sort of row * n + column keys that
symmetrises, removes duplicates and orders the rows at once. At a million nodes and mean degree
10 this is about 48 MB, against gigabytes for per-node Python objects or a networkx graph, and it
lets the simulation expand, sum and scatter over the neighbours of many customers in single
numpy calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from . import kernels
from .i18n import _

if TYPE_CHECKING:
    import networkx
    import scipy.sparse

NETWORK_KINDS = ("small_world", "scale_free", "fully_mixed")


def _round_half_up(x: float) -> int:
    # Python's round() goes to even on ties; a fixed rule keeps "3 -> k = 4" predictable.
    return int(np.floor(x + 0.5))


@dataclass(frozen=True, eq=False)
class SocialNetwork:
    """Undirected simple graph in CSR form (indptr int64 length n+1, indices int32), or a fully
    mixed population."""

    kind: str
    n_nodes: int
    mean_degree: float  # for fully_mixed: the number of random contacts per interaction
    indptr: np.ndarray | None  # None when fully mixed
    indices: np.ndarray | None

    def __post_init__(self) -> None:
        if self.kind not in NETWORK_KINDS:
            raise ValueError(_("kind must be one of {kinds}, got {value}").format(
                kinds=NETWORK_KINDS, value=repr(self.kind)))
        if self.is_fully_mixed != (self.indptr is None or self.indices is None):
            raise ValueError(_("indptr and indices must be None exactly when kind is "
                               "'fully_mixed'"))
        if self.indptr is not None and (
            self.indptr.shape != (self.n_nodes + 1,) or self.indptr[-1] != len(self.indices)
        ):
            raise ValueError(_("indptr must have length n_nodes + 1 = {length}").format(
                length=self.n_nodes + 1))

    @property
    def is_fully_mixed(self) -> bool:
        return self.kind == "fully_mixed"

    @property
    def degree(self) -> np.ndarray:
        """Every node's degree (int32; computed when asked, not kept: 4 bytes per node)."""
        if self.is_fully_mixed:
            return np.full(self.n_nodes, self.contacts_per_node, dtype=np.int32)
        return np.diff(self.indptr).astype(np.int32)

    def degree_of(self, nodes: np.ndarray) -> np.ndarray:
        """The degree of the given nodes (int32)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        if self.is_fully_mixed:
            return np.full(len(nodes), self.contacts_per_node, dtype=np.int32)
        return (self.indptr[nodes + 1] - self.indptr[nodes]).astype(np.int32)

    @property
    def mean_degree_realised(self) -> float:
        """The mean degree of the graph as built (for fully mixed: the contacts per node)."""
        if self.is_fully_mixed:
            return float(self.contacts_per_node)
        return float(self.indptr[-1]) / self.n_nodes

    @property
    def contacts_per_node(self) -> int:
        """Random contacts per node in a fully mixed population (at least one)."""
        return max(1, _round_half_up(self.mean_degree))

    @property
    def n_edges(self) -> int:
        return 0 if self.is_fully_mixed else len(self.indices) // 2

    @cached_property
    def _adjacency(self) -> scipy.sparse.csr_array:
        import scipy.sparse

        data = np.ones(len(self.indices), dtype=np.float64)
        shape = (self.n_nodes, self.n_nodes)
        return scipy.sparse.csr_array((data, self.indices, self.indptr), shape=shape)

    def neighbours(self, node: int) -> np.ndarray:
        if self.is_fully_mixed:
            raise ValueError(_("a fully mixed population has no fixed neighbours; use gather()"))
        return self.indices[self.indptr[node] : self.indptr[node + 1]]

    def gather(
        self, nodes: np.ndarray, rng: np.random.Generator | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised neighbour expansion of many nodes at once. Returns (owner, target): owner[j]
        is the POSITION in `nodes` whose neighbour target[j] is. For a fully mixed population,
        each node gets round(mean_degree) targets drawn uniformly among the other nodes (rng used
        only then)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        if self.is_fully_mixed:
            if rng is None:
                raise ValueError(_("rng is required to gather contacts in a fully mixed "
                                   "population"))
            k = self.contacts_per_node
            owner = np.repeat(np.arange(len(nodes)), k)
            # Draw among n - 1 slots and step over the owner itself: uniform over the others.
            target = rng.integers(0, self.n_nodes - 1, size=len(owner), dtype=np.int64)
            target += target >= nodes[owner]
            return owner, target.astype(np.int32)
        starts = self.indptr[nodes]
        counts = self.indptr[nodes + 1] - starts
        owner = np.repeat(np.arange(len(nodes)), counts)
        # Position of target j = start of its owner's row + its rank within that row.
        first_out = np.cumsum(counts) - counts
        pos = np.arange(len(owner), dtype=np.int64) + np.repeat(starts - first_out, counts)
        return owner, self.indices[pos]

    def neighbour_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of `values` over each node's neighbours; values shape (n,) or (n, k), result
        float64. Fully mixed: (total - own value) * mean_degree / (n - 1), the expected sum over
        the random contacts."""
        values = np.asarray(values, dtype=np.float64)
        if values.shape[0] != self.n_nodes:
            raise ValueError(_("values must have {rows} rows, got shape {shape}").format(
                rows=self.n_nodes, shape=values.shape))
        if self.is_fully_mixed:
            return (values.sum(axis=0) - values) * (self.mean_degree / (self.n_nodes - 1))
        return self._adjacency @ values

    def scatter_to_neighbours(
        self, nodes: np.ndarray, weights: np.ndarray, out: np.ndarray
    ) -> None:
        """out[nbr] += weights[pos] for every neighbour nbr of nodes[pos] (repeated nodes allowed,
        np.add.at semantics). Not for fully mixed populations."""
        if self.is_fully_mixed:
            raise ValueError(_("scatter_to_neighbours needs explicit edges; kind is "
                               "'fully_mixed'"))
        owner, target = self.gather(nodes)
        contrib = np.asarray(weights)[owner]
        if out.ndim == 1 and np.issubdtype(out.dtype, np.floating):
            # bincount is several times faster than np.add.at for the common 1-D float case.
            out += np.bincount(target, weights=contrib, minlength=self.n_nodes)
        else:
            np.add.at(out, target, contrib)

    def relabel(self, new_of_old: np.ndarray) -> SocialNetwork:
        """The same graph with node ``o`` renamed ``new_of_old[o]`` (a permutation)."""
        if self.is_fully_mixed:
            return self
        new_of_old = np.asarray(new_of_old, dtype=np.int64)
        rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree)
        upper = rows < self.indices
        u, v = new_of_old[rows[upper]], new_of_old[self.indices[upper]]
        del rows, upper
        indptr, indices = _csr_from_edges(u, v, self.n_nodes)
        return SocialNetwork(self.kind, self.n_nodes, self.mean_degree, indptr, indices)

    def sample_subgraph(self, nodes: np.ndarray) -> networkx.Graph:
        """Induced subgraph on the given node ids as a networkx Graph; nodes keep their ids. A fully
        mixed population yields the nodes without edges."""
        import networkx

        nodes = np.unique(np.asarray(nodes, dtype=np.int64))
        graph = networkx.Graph()
        graph.add_nodes_from(nodes.tolist())
        if self.is_fully_mixed:
            return graph
        inside = np.zeros(self.n_nodes, dtype=bool)
        inside[nodes] = True
        owner, target = self.gather(nodes)
        src = nodes[owner]
        keep = inside[target] & (src < target)
        graph.add_edges_from(zip(src[keep].tolist(), target[keep].tolist(), strict=True))
        return graph


def _csr_from_edges(u: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric, deduplicated, loop-free CSR arrays from an edge list in any orientation."""
    if kernels.use_numba(len(u)):
        # A counting sort by row, then a sort of each short row: same arrays, no global sort.
        return kernels.kernels().csr_from_edges(u, v, n)
    proper = u != v
    u = u[proper].astype(np.int64)
    v = v[proper].astype(np.int64)
    # One sort of row * n + col over both orientations symmetrises, deduplicates and orders each
    # row's neighbours at once.
    keys = np.concatenate([u * n + v, v * n + u])
    del u, v
    keys.sort()
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    rows, cols = np.divmod(keys, n)
    del keys
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols.astype(np.int32)


def _small_world(
    n: int, mean_degree: float, rng: np.random.Generator, p_rewire: float
) -> tuple[np.ndarray, np.ndarray]:
    half = max(1, _round_half_up(mean_degree / 2))
    u = np.repeat(np.arange(n, dtype=np.int64), half)
    v = (u + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(len(v)) < p_rewire
    v[rewire] = rng.integers(0, n, size=int(rewire.sum()))
    return u, v


def _scale_free(
    n: int, mean_degree: float, rng: np.random.Generator, p_triangle: float
) -> tuple[np.ndarray, np.ndarray]:
    m = max(1, _round_half_up(mean_degree / 2))
    seed_src, seed_tgt = np.triu_indices(m + 1, k=1)
    n_seed = len(seed_src)
    n_new = n - (m + 1)
    n_edges = n_seed + n_new * m
    compiled = kernels.use_numba(n_edges)
    if compiled:
        return _scale_free_compiled(n, m, rng, p_triangle, seed_src, seed_tgt)
    src = np.concatenate([seed_src, np.repeat(np.arange(m + 1, n, dtype=np.int64), m)])
    tgt = np.full(n_edges, -1, dtype=np.int64)
    tgt[:n_seed] = seed_tgt
    if n_new == 0:
        return src, tgt

    # Preferential attachment (Batagelj-Brandes): edge e copies endpoint r of the list M, r uniform
    # in [0, 2e) so that its own source position is excluded. Even r is a known source node; odd
    # r is the target of edge r // 2, an earlier edge, which may itself still be a pointer.
    new = np.arange(n_seed, n_edges, dtype=np.int64)
    r = rng.integers(0, 2 * new)
    _resolve_attachment(src, tgt, r, new)
    del r

    # Triad formation: a node's later edges may instead go to a friend of its first target.
    slot = np.tile(np.arange(m), n_new)
    triad = (slot > 0) & (rng.random(n_new * m) < p_triangle)
    if not triad.any():
        return src, tgt
    return src, _triad_formation(src, tgt, triad, slot, m, n_seed, n_new, new, rng)


# The compiled build draws in chunks of this many edges (the same streams as one draw: numpy's
# generators do not buffer across these calls), so that its temporaries stay small.
DRAW_CHUNK = 1 << 20


def _scale_free_compiled(n, m, rng, p_triangle, seed_src, seed_tgt):
    """The compiled twin of the numpy build above: the same draws, the same edges, in int32
    (nodes) with chunked draws, so that a 10-million-node build stays within a few bytes per
    edge."""
    n_seed = len(seed_src)
    n_new = n - (m + 1)
    n_edges = n_seed + n_new * m
    index = np.int32 if n < 2**31 else np.int64
    src = np.empty(n_edges, index)
    src[:n_seed] = seed_src
    src[n_seed:] = np.repeat(np.arange(m + 1, n, dtype=index), m)
    tgt = np.full(n_edges, -1, dtype=index)
    tgt[:n_seed] = seed_tgt
    k = kernels.kernels()
    for lo in range(n_seed, n_edges, DRAW_CHUNK):
        hi = min(lo + DRAW_CHUNK, n_edges)
        r = rng.integers(0, 2 * np.arange(lo, hi, dtype=np.int64))
        k.resolve_attachment_from(src, tgt, r, lo)
    del r
    triad = np.empty(n_new * m, bool)
    for lo in range(0, len(triad), DRAW_CHUNK):
        hi = min(lo + DRAW_CHUNK, len(triad))
        triad[lo:hi] = rng.random(hi - lo) < p_triangle
    triad[::m] = False  # a node's first edge is never redirected
    if not triad.any():
        return src, tgt
    start_u = rng.random(n_new)
    k.triad_formation_inplace(src, tgt, triad, m, n_seed, n, start_u)
    return src, tgt


def _resolve_attachment(src, tgt, r, new) -> None:
    """Pointer jumping over whole arrays (the numpy twin of kernels.resolve_attachment)."""
    n_edges = len(src)
    copies_source = r % 2 == 0
    tgt[new[copies_source]] = src[r[copies_source] // 2]
    chasing = new[~copies_source]
    ptr = np.full(n_edges, -1, dtype=np.int64)
    ptr[chasing] = r[~copies_source] // 2
    while len(chasing):
        hop = ptr[chasing]
        value = tgt[hop]
        done = value >= 0
        tgt[chasing[done]] = value[done]
        chasing = chasing[~done]
        # Pointer jumping halves the remaining chains; pointers only go backwards, so this ends.
        ptr[chasing] = ptr[hop[~done]]


def _triad_formation(src, tgt, triad, slot, m, n_seed, n_new, new, rng) -> np.ndarray:
    """Friend-of-a-friend redirection by sorting and searching (the numpy twin of
    kernels.triad_formation); returns the new targets."""
    n_edges = len(src)
    # Only edges that are not redirected are certain to exist, so friends are looked up through
    # them: then the triangle is really closed. Incidences are keyed node * n_edges + edge id, so
    # one sort lists every node's stable edges in creation order.
    stable = np.concatenate([np.arange(n_seed), new[~triad]])
    keys = np.sort(np.concatenate([src[stable], tgt[stable]]) * n_edges + np.tile(stable, 2))
    redirected = new[triad]
    first = redirected - slot[triad]
    friend = tgt[first]
    lo = np.searchsorted(keys, friend * n_edges)
    # Strictly before the node's own first edge: the friend's neighbours at that time, not itself.
    n_choices = np.searchsorted(keys, friend * n_edges + first) - lo
    # One uniform start per node and consecutive incidences after it: each pick is uniform and one
    # node's triad edges are distinct. As in Holme-Kim, once the friend has no unused neighbour
    # left, the edge keeps its preferential target instead.
    node = (redirected - n_seed) // m
    start = (rng.random(n_new)[node] * n_choices).astype(np.int64)
    rank = np.cumsum(triad.reshape(n_new, m), axis=1).ravel()[triad] - 1
    room = rank < n_choices
    via = keys[lo[room] + (start[room] + rank[room]) % n_choices[room]] % n_edges
    tgt[redirected[room]] = src[via] + tgt[via] - friend[room]
    return tgt


def build_network(
    kind: str,
    n_nodes: int,
    mean_degree: float,
    rng: np.random.Generator,
    *,
    p_rewire: float = 0.1,
    p_triangle: float = 0.5,
    relabel: np.ndarray | None = None,
) -> SocialNetwork:
    """Generate a social network of `kind` (see the module docstring); deterministic given rng.
    With ``relabel`` (a permutation), node o is renamed relabel[o], as ``.relabel`` does."""
    if kind not in NETWORK_KINDS:
        raise ValueError(_("kind must be one of {kinds}, got {value}").format(
            kinds=NETWORK_KINDS, value=repr(kind)))
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int | np.integer) or n_nodes < 2:
        raise ValueError(_("n_nodes must be an integer >= 2, got {value}").format(
            value=repr(n_nodes)))
    n_nodes = int(n_nodes)
    if not (np.isfinite(mean_degree) and 0 < mean_degree < n_nodes):
        raise ValueError(_("mean_degree must be > 0 and < n_nodes = {n_nodes}, got {value}").format(
            n_nodes=n_nodes, value=repr(mean_degree)))
    for name, p in (("p_rewire", p_rewire), ("p_triangle", p_triangle)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(_("{name} must be a probability in [0, 1], got {value}").format(
                name=name, value=repr(p)))

    if kind == "fully_mixed":
        return SocialNetwork(kind, n_nodes, float(mean_degree), None, None)
    if kind == "small_world":
        u, v = _small_world(n_nodes, mean_degree, rng, p_rewire)
    else:
        u, v = _scale_free(n_nodes, mean_degree, rng, p_triangle)
    if relabel is not None:
        # Renaming the edges' ends before building the CSR gives the same arrays as relabelling
        # the built graph, without a second build.
        perm = np.asarray(relabel).astype(u.dtype if u.dtype == np.int32 else np.int64)
        u, v = perm[u], perm[v]
        del perm
    # Built here, not inside the generators, so their temporaries are freed first (peak memory).
    indptr, indices = _csr_from_edges(u, v, n_nodes)
    del u, v
    return SocialNetwork(kind, n_nodes, float(mean_degree), indptr, indices)
