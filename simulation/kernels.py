"""Compiled loops (numba) for the few passes that whole-array numpy does slowly, each with a
pure-numpy twin that gives the same result bit for bit.

Rules:

* A kernel never draws random numbers: the caller draws them with the model's numpy
  ``Generator`` and passes them in, so the compiled and the numpy path see the same draws and
  give identical arrays (``tests/test_network.py`` checks this over seeds and sizes).
* numba is used when it imports and ``SOCBIZ_NUMBA`` is not ``0``; otherwise, or when the work
  is too small to repay loading numba (about a second the first time in a process, most of it
  spent loading the cached machine code), the numpy path runs. Because both paths agree
  exactly, the threshold changes timings only, never results.
* Compiled code is cached on disk (``cache=True``) next to this file, so a process pays the
  compilation once per installation, not once per run.
"""

from __future__ import annotations

import os
from functools import cache

import numpy as np

# Below this many edges the numpy path is used: loading numba costs more than it saves.
MIN_EDGES_FOR_NUMBA = 300_000


def numba_enabled() -> bool:
    """True when the compiled kernels may be used (numba importable, SOCBIZ_NUMBA not 0)."""
    return os.environ.get("SOCBIZ_NUMBA", "1") != "0" and _compiled() is not None


def use_numba(n_items: int) -> bool:
    return n_items >= MIN_EDGES_FOR_NUMBA and numba_enabled()


@cache
def _compiled():
    """The compiled kernels as a namespace, or None when numba cannot be imported."""
    try:
        import numba
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    jit = numba.njit(cache=True, nogil=True)

    @jit
    def resolve_attachment(src, tgt, r, n_seed):
        # Edge n_seed + i copies endpoint r[i] of the endpoint list: an even r is the source of
        # edge r // 2, an odd r its target; r // 2 is always an earlier, resolved edge.
        for i in range(len(r)):
            ri = r[i]
            if ri % 2 == 0:
                tgt[n_seed + i] = src[ri // 2]
            else:
                tgt[n_seed + i] = tgt[ri // 2]

    @jit
    def triad_formation(src, tgt, triad, m, n_seed, n_nodes, start_u):
        n_edges = len(src)
        # Neighbour lists of the stable (not redirected) edges, in edge order within each node:
        # a count pass, then one fill pass in edge order merged with the redirection, so that
        # when a node is reached, its first target's list holds exactly the stable neighbours
        # linked before it (no search needed). The lists hold the neighbour itself (not the
        # edge), and each node's list start and fill position sit side by side in `ptr`: one
        # cache miss instead of three per lookup, which is what this pass spends its time on.
        degree = np.zeros(n_nodes, np.int64)
        for e in range(n_edges):
            if e >= n_seed and triad[e - n_seed]:
                continue
            degree[src[e]] += 1
            degree[tgt[e]] += 1
        ptr = np.empty(2 * n_nodes, np.int64)
        total = 0
        for i in range(n_nodes):
            ptr[2 * i] = total
            ptr[2 * i + 1] = total
            total += degree[i]
        neighbour = np.empty(total, np.int32)
        for e in range(n_seed):
            a, b = src[e], tgt[e]
            neighbour[ptr[2 * a + 1]] = b
            ptr[2 * a + 1] += 1
            neighbour[ptr[2 * b + 1]] = a
            ptr[2 * b + 1] += 1
        n_new = (n_edges - n_seed) // m
        new_tgt = tgt.copy()
        for node in range(n_new):
            base = n_seed + node * m
            me = src[base]
            friend = tgt[base]
            lo = ptr[2 * friend]
            n_choices = ptr[2 * friend + 1] - lo
            start = np.int64(start_u[node] * n_choices)
            rank = 0
            for slot in range(1, m):
                if triad[base + slot - n_seed]:
                    if rank < n_choices:
                        new_tgt[base + slot] = neighbour[lo + (start + rank) % n_choices]
                    rank += 1
            for slot in range(m):
                e = base + slot
                if slot == 0 or not triad[e - n_seed]:
                    b = tgt[e]
                    neighbour[ptr[2 * me + 1]] = b
                    ptr[2 * me + 1] += 1
                    neighbour[ptr[2 * b + 1]] = me
                    ptr[2 * b + 1] += 1
        return new_tgt

    @jit
    def csr_from_edges(u, v, n):
        count = np.zeros(n + 1, np.int64)
        for i in range(len(u)):
            if u[i] != v[i]:
                count[u[i] + 1] += 1
                count[v[i] + 1] += 1
        for i in range(n):
            count[i + 1] += count[i]
        row = count[:-1].copy()
        cols = np.empty(count[-1], np.int32)
        for i in range(len(u)):
            a, b = u[i], v[i]
            if a != b:
                cols[row[a]] = b
                row[a] += 1
                cols[row[b]] = a
                row[b] += 1
        # Sort each row and drop its duplicates, compacting in place.
        indptr = np.zeros(n + 1, np.int64)
        out = 0
        for node in range(n):
            lo, hi = count[node], count[node + 1]
            if hi - lo > 32:
                cols[lo:hi].sort()
            else:
                # Insertion sort: rows are short and, for generators that list edges by source
                # (Holme-Kim), nearly sorted already; a library sort call per row costs more.
                for j in range(lo + 1, hi):
                    c = cols[j]
                    k = j - 1
                    while k >= lo and cols[k] > c:
                        cols[k + 1] = cols[k]
                        k -= 1
                    cols[k + 1] = c
            last = -1
            for j in range(lo, hi):
                c = cols[j]
                if c != last:
                    cols[out] = c
                    out += 1
                    last = c
            indptr[node + 1] = out
        return indptr, cols[:out].copy()

    class Kernels:
        pass

    kernels = Kernels()
    kernels.resolve_attachment = resolve_attachment
    kernels.triad_formation = triad_formation
    kernels.csr_from_edges = csr_from_edges
    return kernels


def kernels():
    """The compiled kernels (call only when :func:`numba_enabled` is true)."""
    return _compiled()
