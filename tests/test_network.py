"""Tests for simulation.network: graph validity, statistics of each generator, and the vectorised
neighbour operations checked against naive per-node loops."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.network import NETWORK_KINDS, SocialNetwork, build_network

GRAPH_KINDS = ("small_world", "scale_free")


def rng(seed=0):
    return np.random.default_rng(seed)


def to_networkx(net: SocialNetwork) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(net.n_nodes))
    for node in range(net.n_nodes):
        graph.add_edges_from((node, int(nbr)) for nbr in net.neighbours(node))
    return graph


def from_networkx(graph: nx.Graph, kind: str = "small_world") -> SocialNetwork:
    """CSR built by a plain loop, independent of the module's own construction."""
    n = graph.number_of_nodes()
    rows = [sorted(graph.neighbors(node)) for node in range(n)]
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in rows])
    indices = np.array([nbr for row in rows for nbr in row], dtype=np.int32)
    return SocialNetwork(kind, n, 2 * graph.number_of_edges() / n, indptr, indices)


def graph_with_isolated_nodes() -> SocialNetwork:
    graph = nx.gnm_random_graph(60, 70, seed=3)
    graph.remove_edges_from(list(graph.edges(range(10))))  # nodes 0-9 isolated
    graph.add_edge(59, 58)
    assert min(dict(graph.degree()).values()) == 0
    return from_networkx(graph)


def assert_simple_undirected(net: SocialNetwork) -> None:
    n = net.n_nodes
    assert net.indptr.dtype == np.int64 and net.indices.dtype == np.int32
    assert net.indptr.shape == (n + 1,) and net.indptr[0] == 0
    assert net.indptr[-1] == len(net.indices) == 2 * net.n_edges
    rows = np.repeat(np.arange(n), np.diff(net.indptr))
    cols = net.indices.astype(np.int64)
    assert np.all((cols >= 0) & (cols < n))
    assert not np.any(rows == cols), "self-loop"
    keys = rows * n + cols
    assert np.all(np.diff(keys) > 0), "rows not strictly increasing: duplicate edge or unsorted"
    assert np.array_equal(np.sort(cols * n + rows), keys), "not symmetric"


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("small_world", {"p_rewire": 0.0}),
        ("small_world", {"p_rewire": 0.1}),
        ("small_world", {"p_rewire": 1.0}),
        ("scale_free", {"p_triangle": 0.0}),
        ("scale_free", {"p_triangle": 0.5}),
        ("scale_free", {"p_triangle": 1.0}),
    ],
)
def test_generated_graph_is_symmetric_without_self_loops_or_duplicates(kind, params, seed):
    net = build_network(kind, 3000, 8, rng(seed), **params)
    assert_simple_undirected(net)
    assert np.array_equal(net.degree, np.diff(net.indptr))
    assert net.degree.dtype == np.int32


@given(
    kind=st.sampled_from(GRAPH_KINDS),
    n=st.integers(2, 60),
    degree_fraction=st.floats(0.01, 0.99),
    p=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=150, deadline=None)
def test_any_small_graph_is_simple_and_symmetric(kind, n, degree_fraction, p, seed):
    net = build_network(kind, n, degree_fraction * n, rng(seed), p_rewire=p, p_triangle=p)
    assert_simple_undirected(net)


def test_fully_mixed_has_no_edges_and_constant_degree():
    net = build_network("fully_mixed", 1000, 7.5, rng())
    assert net.is_fully_mixed and net.indptr is None and net.indices is None
    assert net.n_edges == 0
    assert net.degree.dtype == np.int32 and np.all(net.degree == 8)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("mean_degree", [4, 6, 10, 20])
@pytest.mark.parametrize("kind", GRAPH_KINDS)
def test_mean_degree_within_ten_percent_of_request(kind, mean_degree, seed):
    net = build_network(kind, 5000, mean_degree, rng(seed), p_rewire=0.3, p_triangle=0.8)
    assert abs(net.degree.mean() - mean_degree) <= 0.1 * mean_degree
    assert net.degree.mean() <= mean_degree  # only ever loses edges to deduplication


@pytest.mark.parametrize(("mean_degree", "k"), [(1, 2), (3, 4), (6.9, 6), (10, 10), (11, 12)])
def test_unrewired_small_world_gives_every_node_exactly_the_nearest_even_degree(mean_degree, k):
    net = build_network("small_world", 500, mean_degree, rng(), p_rewire=0.0)
    assert np.all(net.degree == k)
    assert np.array_equal(net.neighbours(0), np.r_[1 : k // 2 + 1, 500 - k // 2 : 500])


@pytest.mark.parametrize(("mean_degree", "m"), [(2, 1), (3, 2), (6, 3), (10, 5)])
def test_scale_free_without_triads_has_mean_degree_two_m(mean_degree, m):
    net = build_network("scale_free", 4000, mean_degree, rng(), p_triangle=0.0)
    expected = 2 * (m * (m + 1) / 2 + (4000 - m - 1) * m) / 4000
    assert expected * 0.98 <= net.degree.mean() <= expected
    assert net.degree.min() >= 1


@pytest.mark.parametrize("kind", GRAPH_KINDS)
def test_same_seed_gives_identical_arrays_and_different_seed_different(kind):
    a = build_network(kind, 5000, 10, rng(42))
    b = build_network(kind, 5000, 10, rng(42))
    c = build_network(kind, 5000, 10, rng(43))
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert not (np.array_equal(a.indptr, c.indptr) and np.array_equal(a.indices, c.indices))


def test_fully_mixed_gather_same_seed_same_targets_different_seed_different():
    net = build_network("fully_mixed", 1000, 5, rng())
    nodes = np.arange(1000)
    assert np.array_equal(net.gather(nodes, rng(1))[1], net.gather(nodes, rng(1))[1])
    assert not np.array_equal(net.gather(nodes, rng(1))[1], net.gather(nodes, rng(2))[1])


@pytest.mark.parametrize("k", [4, 10])
def test_ring_lattice_clustering_matches_three_k_minus_two_over_four_k_minus_one(k):
    net = build_network("small_world", 2000, k, rng(), p_rewire=0.0)
    expected = 3 * (k - 2) / (4 * (k - 1))
    assert nx.average_clustering(to_networkx(net)) == pytest.approx(expected, abs=1e-9)


def test_fully_rewired_small_world_has_low_clustering():
    lattice = build_network("small_world", 2000, 10, rng(), p_rewire=0.0)
    rewired = build_network("small_world", 2000, 10, rng(), p_rewire=1.0)
    clustering = nx.average_clustering(to_networkx(rewired))
    assert clustering < 0.05
    assert clustering < nx.average_clustering(to_networkx(lattice)) / 10


def test_small_world_clustering_decreases_with_rewiring_probability():
    values = [
        nx.average_clustering(
            to_networkx(build_network("small_world", 2000, 10, rng(), p_rewire=p))
        )
        for p in (0.0, 0.05, 0.2, 0.5)
    ]
    assert values == sorted(values, reverse=True)


def power_law_exponent(degree: np.ndarray, kmin: int) -> float:
    """Discrete maximum-likelihood estimate (Clauset, Shalizi & Newman 2009, eq. 3.7)."""
    tail = degree[degree >= kmin].astype(float)
    return 1 + len(tail) / np.sum(np.log(tail / (kmin - 0.5)))


@pytest.mark.parametrize("p_triangle", [0.0, 0.5, 0.9])
def test_scale_free_degree_distribution_is_heavy_tailed_with_exponent_near_three(p_triangle):
    net = build_network("scale_free", 20_000, 10, rng(5), p_triangle=p_triangle)
    assert net.degree.max() > 10 * net.degree.mean()
    assert 2.3 <= power_law_exponent(net.degree, kmin=20) <= 3.7
    # No condensation: the biggest hub holds a small share of all edge ends.
    assert net.degree.max() < 0.05 * net.degree.sum()


def test_small_world_degree_distribution_is_not_heavy_tailed():
    net = build_network("small_world", 20_000, 10, rng(5), p_rewire=0.5)
    assert net.degree.max() < 3 * net.degree.mean()


def test_triad_formation_raises_clustering_at_least_threefold():
    plain = build_network("scale_free", 5000, 10, rng(9), p_triangle=0.0)
    triads = build_network("scale_free", 5000, 10, rng(9), p_triangle=0.8)
    plain_c = nx.average_clustering(to_networkx(plain))
    triads_c = nx.average_clustering(to_networkx(triads))
    assert triads_c >= 3 * plain_c
    assert triads_c > 0.15  # networkx's sequential Holme-Kim gives about 0.3 here


def naive_gather(net, nodes):
    owner, target = [], []
    for pos, node in enumerate(nodes):
        for nbr in net.neighbours(node):
            owner.append(pos)
            target.append(int(nbr))
    return np.array(owner, dtype=np.int64), np.array(target, dtype=np.int64)


@pytest.mark.parametrize(
    "net",
    [
        build_network("small_world", 300, 6, rng(1), p_rewire=0.3),
        build_network("scale_free", 300, 6, rng(1)),
        graph_with_isolated_nodes(),
    ],
    ids=["small_world", "scale_free", "isolated_nodes"],
)
def test_gather_matches_naive_per_node_loop(net):
    nodes = rng(2).integers(0, net.n_nodes, size=120)  # repeats included
    nodes[:5] = [0, 1, 0, net.n_nodes - 1, 2]
    owner, target = net.gather(nodes)
    expected_owner, expected_target = naive_gather(net, nodes)
    assert np.array_equal(owner, expected_owner)
    assert np.array_equal(target, expected_target)
    empty_owner, empty_target = net.gather(np.array([], dtype=np.int64))
    assert len(empty_owner) == len(empty_target) == 0


def test_neighbours_match_networkx_adjacency():
    net = build_network("scale_free", 400, 6, rng(4))
    graph = to_networkx(net)
    for node in range(0, 400, 7):
        assert sorted(net.neighbours(node).tolist()) == sorted(graph.neighbors(node))


@pytest.mark.parametrize("shape_tail", [(), (3,)], ids=["1d", "2d"])
@pytest.mark.parametrize(
    "net",
    [build_network("small_world", 200, 6, rng(1), p_rewire=0.5), graph_with_isolated_nodes()],
    ids=["small_world", "isolated_nodes"],
)
def test_neighbour_sum_matches_naive_loop(net, shape_tail):
    values = rng(3).normal(size=(net.n_nodes, *shape_tail))
    expected = np.zeros_like(values)
    for node in range(net.n_nodes):
        for nbr in net.neighbours(node):
            expected[node] += values[nbr]
    result = net.neighbour_sum(values)
    assert result.shape == values.shape
    np.testing.assert_allclose(result, expected, atol=1e-12)
    isolated = net.degree == 0
    assert np.all(result[isolated] == 0)


def test_neighbour_sum_of_ones_is_degree_and_accepts_integers():
    net = build_network("scale_free", 500, 6, rng())
    np.testing.assert_array_equal(net.neighbour_sum(np.ones(500, dtype=np.int64)), net.degree)


def test_fully_mixed_neighbour_sum_is_expected_sum_over_random_contacts():
    net = build_network("fully_mixed", 50, 4, rng())
    values = rng(1).normal(size=(50, 2))
    expected = (values.sum(axis=0) - values) * 4 / 49
    np.testing.assert_allclose(net.neighbour_sum(values), expected)
    # Monte-Carlo average of actual draws agrees with the expectation.
    nodes = np.repeat(np.arange(50), 2000)
    owner, target = net.gather(nodes, rng(2))
    sampled = np.zeros((50, 2))
    np.add.at(sampled, nodes[owner], values[target])
    np.testing.assert_allclose(sampled / 2000, expected, atol=0.15)


def naive_scatter(net, nodes, weights, out):
    for pos, node in enumerate(nodes):
        for nbr in net.neighbours(node):
            out[nbr] += weights[pos]


@pytest.mark.parametrize(
    ("dtype", "shape_tail"),
    [(np.float64, ()), (np.float32, ()), (np.int64, ()), (np.float64, (2,))],
)
def test_scatter_to_neighbours_matches_naive_with_repeated_nodes(dtype, shape_tail):
    net = graph_with_isolated_nodes()
    nodes = np.array([11, 11, 0, 30, 11, 59, 58, 30, 3])
    weights = rng(5).integers(1, 9, size=(len(nodes), *shape_tail)).astype(dtype)
    out = np.arange(net.n_nodes * int(np.prod(shape_tail)), dtype=dtype).reshape(-1, *shape_tail)
    expected = out.copy()
    naive_scatter(net, nodes, weights, expected)
    net.scatter_to_neighbours(nodes, weights, out)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected)


def test_scatter_to_neighbours_refuses_fully_mixed_population():
    net = build_network("fully_mixed", 100, 4, rng())
    with pytest.raises(ValueError, match="fully_mixed"):
        net.scatter_to_neighbours(np.array([1]), np.array([1.0]), np.zeros(100))


@pytest.mark.parametrize("mean_degree", [1, 4, 6.5])
def test_fully_mixed_gather_gives_rounded_mean_degree_targets_never_the_owner(mean_degree):
    net = build_network("fully_mixed", 40, mean_degree, rng())
    nodes = np.array([0, 39, 5, 5, 17])
    owner, target = net.gather(nodes, rng(8))
    k = int(np.floor(mean_degree + 0.5))
    assert np.array_equal(np.bincount(owner, minlength=len(nodes)), np.full(len(nodes), k))
    assert np.all(target != nodes[owner])
    assert np.all((target >= 0) & (target < 40))


def test_fully_mixed_gather_is_uniform_over_the_other_nodes():
    net = build_network("fully_mixed", 5, 2, rng())
    owner, target = net.gather(np.full(20_000, 2), rng(1))
    counts = np.bincount(target, minlength=5)
    assert counts[2] == 0
    np.testing.assert_allclose(counts[[0, 1, 3, 4]] / len(target), 0.25, atol=0.015)


def test_fully_mixed_gather_requires_rng():
    net = build_network("fully_mixed", 10, 2, rng())
    with pytest.raises(ValueError, match="rng"):
        net.gather(np.array([1, 2]))


def test_sample_subgraph_is_the_induced_subgraph_with_original_ids():
    net = build_network("scale_free", 500, 8, rng(6))
    nodes = rng(7).choice(500, size=80, replace=False)
    sub = net.sample_subgraph(nodes)
    expected = to_networkx(net).subgraph(nodes.tolist())
    assert set(sub.nodes) == set(nodes.tolist())
    assert {frozenset(e) for e in sub.edges} == {frozenset(e) for e in expected.edges}
    assert sub.number_of_edges() > 0


def test_sample_subgraph_of_fully_mixed_population_has_nodes_but_no_edges():
    sub = build_network("fully_mixed", 100, 4, rng()).sample_subgraph(np.array([3, 1, 4]))
    assert set(sub.nodes) == {1, 3, 4} and sub.number_of_edges() == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "name", "shown"),
    [
        (("ring", 100, 4), {}, "kind", "'ring'"),
        (("small_world", 1, 0.5), {}, "n_nodes", "1"),
        (("small_world", 100.0, 4), {}, "n_nodes", "100.0"),
        (("scale_free", 100, 0), {}, "mean_degree", "0"),
        (("scale_free", 100, -2), {}, "mean_degree", "-2"),
        (("scale_free", 100, 100), {}, "mean_degree", "100"),
        (("fully_mixed", 100, float("nan")), {}, "mean_degree", "nan"),
        (("small_world", 100, 4), {"p_rewire": 1.5}, "p_rewire", "1.5"),
        (("small_world", 100, 4), {"p_rewire": -0.1}, "p_rewire", "-0.1"),
        (("scale_free", 100, 4), {"p_triangle": 2}, "p_triangle", "2"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_argument_and_value(args, kwargs, name, shown):
    with pytest.raises(ValueError, match=name) as info:
        build_network(*args, rng(), **kwargs)
    assert f"got {shown}" in str(info.value)


def test_network_kinds_lists_the_three_generators():
    assert NETWORK_KINDS == ("small_world", "scale_free", "fully_mixed")
    for kind in NETWORK_KINDS:
        assert build_network(kind, 50, 4, rng()).kind == kind


# The compiled (numba) build and the numpy build must give the same arrays bit for bit, so the
# size threshold between them never changes a result. Both are forced here on small graphs.
EQUIVALENCE_CASES = [
    ("scale_free", 3000, 10, {"p_triangle": 0.5}),
    ("scale_free", 4000, 6, {"p_triangle": 0.9}),
    ("scale_free", 2000, 3, {"p_triangle": 0.0}),
    ("scale_free", 600, 40, {"p_triangle": 1.0}),
    ("small_world", 3000, 10, {"p_rewire": 0.2}),
]


@pytest.mark.parametrize(("kind", "n", "mean_degree", "kwargs"), EQUIVALENCE_CASES)
def test_compiled_and_numpy_builds_give_identical_graphs(monkeypatch, kind, n, mean_degree,
                                                         kwargs):
    from simulation import kernels

    if not kernels.numba_enabled():
        pytest.skip("numba not importable here (or SOCBIZ_NUMBA=0): only the numpy path runs")
    for seed in range(3):
        monkeypatch.setattr(kernels, "MIN_EDGES_FOR_NUMBA", 0)
        compiled = build_network(kind, n, mean_degree, rng(seed), **kwargs)
        monkeypatch.setattr(kernels, "MIN_EDGES_FOR_NUMBA", 10**18)
        plain = build_network(kind, n, mean_degree, rng(seed), **kwargs)
        assert np.array_equal(compiled.indptr, plain.indptr)
        assert np.array_equal(compiled.indices, plain.indices)
        assert compiled.indices.dtype == plain.indices.dtype == np.int32


def test_socbiz_numba_zero_switches_to_the_numpy_path(monkeypatch):
    from simulation import kernels

    monkeypatch.setenv("SOCBIZ_NUMBA", "0")
    assert not kernels.numba_enabled()
    assert not kernels.use_numba(10**9)
