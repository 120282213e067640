"""The customers' daily rules (simulation/customers.py) and complaints, cascades and crises
(simulation/complaints.py), on small populations whose state is set by hand.

Most tests drive ``Market.step`` directly with hand-built ``DailyOutput`` objects, so the
organisation side cannot interfere; behaviour constants are set through overrides to isolate
one rule at a time. Statistical checks state their tolerance and why next to the assertion.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation import SocialBusinessModel
from simulation.complaints import NEVER, ORIGINS
from simulation.config import CONTENT_TYPES, mix_shares
from simulation.exchange import DailyOutput

ALL_MOTIVATIONS = (1 << len(CONTENT_TYPES)) - 1  # a motivation code with every content type

QUIET_BEHAVIOUR = {  # no shares, no Bass following, no unfollowing, no sentiment feedback
    "p_share": 0.0, "bass_q": 0.0, "sentiment_sensitivity": 0.0, "unfollow_base": 0.0,
    "unfollow_fatigue": 0.0, "unfollow_frequency": 0.0, "unfollow_push": 0.0,
    "unfollow_negative": 0.0,
}


def lab(n=2000, brands=1, *, network="fully_mixed", engaging=1.0, active=0.0, follow=0.0,
        behaviour=None, market=None, wom=None, brand=None, seed=1, **extra):
    names = ["acme", "brio", "cerise"][:brands]
    scenario = {
        "name": "lab",
        "market": {"n_customers": n, "network": network, "share_engaging": engaging,
                   "share_active": active, "sample_size": 0, **(market or {})},
        "behaviour": {**QUIET_BEHAVIOUR, **(behaviour or {})},
        "word_of_mouth": {"exogenous_crises_per_year": 0.0, **(wom or {})},
        "brands": {name: {"incident_rate": 0.0, "initial_follower_share": follow,
                          "recruitment_p": 0.0, **(brand or {})} for name in names},
        **extra,
    }
    return SocialBusinessModel(scenario, rng=seed)


def output(posts=0.0, mix="balanced", push=0.0, recruitment=0.0, incident=0.0, capacity=0.0,
           coverage=0.0, preparedness=0.0) -> DailyOutput:
    return DailyOutput(posts_by_type=posts * mix_shares(mix), push_share=push, agency_posts=0.0,
                       recruitment_p=recruitment, answer_capacity=capacity,
                       listening_coverage=coverage, conversion=0.0, incident_rate=incident,
                       preparedness=preparedness)


def engage_step(market, day, outputs) -> np.ndarray:
    """One market day; the customers who engaged with a scenario brand that day.

    Read from ``ever_engaged`` cleared beforehand: with other_brand_posts_per_day = 0 nobody
    engages with brands outside the scenario, so it marks exactly today's engagers.
    """
    assert market.config.market.other_brand_posts_per_day == 0
    market.ever_engaged[:] = False
    market.step(day, outputs)
    return np.flatnonzero(market.ever_engaged)


def set_follows(market, rows, brand: int, value: bool = True) -> None:
    """Set follow status by hand and keep the follower count consistent."""
    market.follows[rows, brand] = value
    market.follower_count[:] = market.follows.sum(axis=0)


AMPLE_ATTENTION = {"attention_sigma": 0.0, "attention_posts_per_day": 1000.0,
                   "other_brand_posts_per_day": 0.0}


def sat(posts: float, half: float) -> float:
    return posts / (1 + posts / half)


# --------------------------------------------------------------------------------------------
# 1. Exposure


def test_p_seen_is_attention_over_candidate_posts():
    model = lab(n=200, brands=2, market={"other_brand_posts_per_day": 25.0})
    m = model.market
    set_follows(m, [0, 1, 2], 0)
    set_follows(m, [0], 1)
    m.attention[[0, 1, 2, 3]] = [6.0, 6.0, 40.0, 6.0]
    m.step(1, [output(posts=2.0), output(posts=3.0)])
    # customer 0 follows both brands: C = 25 + 2 + 3; customer 1 only acme: C = 27;
    # customer 2 reads more than is offered; customer 3 follows nobody: C = 25.
    expected = [6 / 30, 6 / 27, 1.0, 6 / 25]
    np.testing.assert_allclose(m.p_seen[[0, 1, 2, 3]], expected, rtol=1e-6)


def test_p_seen_of_non_engaging_customers_counts_only_other_brands():
    model = lab(n=200, engaging=0.5, market={"other_brand_posts_per_day": 10.0})
    m = model.market
    outsider = m.n_engaging + 3
    m.attention[outsider] = 4.0
    m.step(1, [output(posts=5.0)])
    assert m.p_seen[outsider] == pytest.approx(0.4, rel=1e-6)


def test_organic_reach_falls_as_more_brands_post():
    reach = []
    for n_posting in (1, 3):
        model = lab(n=2000, brands=3, follow=1.0)
        outs = [output(posts=2.0 if b < n_posting else 0.0) for b in range(3)]
        reach.append(model.market.step(1, outs)[0].organic_reach)
    assert reach[1] < reach[0]


# --------------------------------------------------------------------------------------------
# 2. Engagement


def _engagement_population(n=3000, days=15, posts=1.0, push=0.0, seed=1):
    """Identical casual followers with ample attention, in three groups: all motivations and no
    fatigue, all motivations and fatigue 0.5, no motivation at all."""
    model = lab(n=n, follow=1.0, market=AMPLE_ATTENTION, seed=seed)
    m = model.market
    groups = np.array_split(np.arange(n), 3)
    m.motivation_code[:] = ALL_MOTIVATIONS
    m.motivation_code[groups[2]] = 0
    counts = np.zeros(3)
    for day in range(1, days + 1):
        m.fatigue[:] = 0.0
        m.fatigue[groups[1]] = 0.5
        who = engage_step(m, day, [output(posts=posts, push=push)])
        counts += [np.isin(who, g).sum() for g in groups]
    return model, groups, counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engagement_probability_is_one_minus_exp_minus_lambda(seed):
    model, groups, counts = _engagement_population(seed=seed)
    b = model.config.behaviour
    p_seen = 1.0  # attention 1000 against 1 candidate post
    lam = b.engagement_scale * p_seen * sat(1.0, b.brand_attention_half_posts)
    for g, fatigue in ((0, 0.0), (1, 0.5)):
        trials = len(groups[g]) * 15
        p = 1 - np.exp(-lam * (1 - fatigue))
        # Binomial count over independent customer-days: within 4 standard errors.
        assert abs(counts[g] - trials * p) <= 4 * np.sqrt(trials * p * (1 - p)), (g, counts[g])
    assert counts[1] < counts[0]


def test_customer_without_matching_motivation_never_engages():
    _, _, counts = _engagement_population()
    assert counts[0] > 0
    assert counts[2] == 0


def test_engagement_rises_with_motivation_match():
    model = lab(n=3000, follow=1.0, market=AMPLE_ATTENTION)
    m = model.market
    half = m.n // 2
    discounts = CONTENT_TYPES.index("discounts")
    m.motivation_code[:half] = 1 << discounts  # matches half of the posts
    m.motivation_code[half:] = 1 << discounts | 1 << CONTENT_TYPES.index("reviews")  # all
    mix = {"discounts": 1.0, "reviews": 1.0}
    low = high = 0
    for day in range(1, 21):
        m.fatigue[:] = 0.0
        who = engage_step(m, day, [output(posts=1.0, mix=mix)])
        low += int((who < half).sum())
        high += int((who >= half).sum())
    # Match 1/2 against 1: lambda halves, so the expected counts are ~1 : 2 (hundreds each,
    # sd ~ 5% of them); 1.5 x is far from both.
    assert high > 1.5 * low


def test_only_engaging_followers_engage():
    model = lab(n=2000, engaging=0.5, market=AMPLE_ATTENTION)
    m = model.market
    ne = m.n_engaging
    m.motivation_code[ne:] = ALL_MOTIVATIONS  # would engage if the rule let them
    m.follows[:, 0] = True  # by hand, even non-engaging customers
    m.follows[: ne // 2, 0] = False
    m.follower_count[:] = m.follows.sum(axis=0)
    total = 0
    for day in range(1, 11):
        who = engage_step(m, day, [output(posts=2.0)])
        total += len(who)
        assert np.all(who < ne)
        assert np.all(who >= ne // 2)  # followers only
    assert total > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_more_posts_lower_engagement_per_post_but_raise_total(seed):
    per_post, total = {}, {}
    for posts in (1.0, 3.0):
        model = lab(n=3000, follow=1.0, market=AMPLE_ATTENTION, seed=seed)
        m = model.market
        m.motivation_code[:] = ALL_MOTIVATIONS
        engagements = 0
        for day in range(1, 11):
            m.fatigue[:] = 0.0
            engagements += m.step(day, [output(posts=posts)])[0].engagements
        per_post[posts] = engagements / (10 * posts)
        total[posts] = engagements
    # Expected per post: 3000 (1 - exp(-s sat(P))) / P with sat(P) = P / (1 + P / half): about
    # 3000 s / 2 at one post against 3000 s / 4 at three (s = engagement_scale), counts in the
    # hundreds over ten days: the gap is many standard deviations wide.
    assert per_post[3.0] < per_post[1.0]
    assert total[3.0] > total[1.0]


def test_push_beyond_tolerance_lowers_engagement():
    _, _, calm = _engagement_population(push=0.0)
    _, _, pushy = _engagement_population(push=1.0)
    # push factor 1 - 1 x (1 - 0.3) = 0.3 of the engagement, counts in the hundreds.
    assert pushy[0] < 0.6 * calm[0]


# --------------------------------------------------------------------------------------------
# 4. Fatigue


def _fatigue_lab(other=25.0):
    model = lab(n=300, brands=2, market={"other_brand_posts_per_day": other})
    m = model.market
    set_follows(m, [0, 1, 2], 0)
    set_follows(m, [0, 1, 2], 1)
    m.step(1, [output(), output()])  # the first day sets fatigue to its steady state
    return model, m


def expected_fatigue(model, f0, attention, candidates, push_seen):
    b = model.config.behaviour
    over = max(0.0, candidates / (attention * b.saturation_ratio) - 1)
    target = 1 - np.exp(-(over + b.push_fatigue_weight * max(0.0, push_seen - b.push_tolerance)))
    return f0 + (target - f0) / b.fatigue_memory_days, target


def test_fatigue_moves_toward_over_solicitation_target_by_one_memory_step():
    model, m = _fatigue_lab()
    m.attention[0] = 1.0
    m.fatigue[0] = 0.2
    m.step(2, [output(posts=2.0), output(posts=1.0)])
    want, target = expected_fatigue(model, 0.2, 1.0, 25 + 3.0, 0.0)
    assert target > 0.2
    assert m.fatigue[0] == pytest.approx(want, rel=1e-5)


def test_fatigue_rises_with_push_in_the_followed_feed():
    model, m = _fatigue_lab()
    m.attention[[1, 2]] = 100.0  # not over-solicited: only push drives fatigue
    m.fatigue[[1, 2]] = 0.1
    m.step(2, [output(posts=2.0, push=1.0), output(posts=2.0, push=0.5)])
    want, target = expected_fatigue(model, 0.1, 100.0, 29.0, (2 * 1.0 + 2 * 0.5) / 4)
    assert m.fatigue[1] == pytest.approx(want, rel=1e-5)
    assert m.fatigue[1] > 0.1
    m.fatigue[2] = 0.1
    m.step(3, [output(posts=2.0), output(posts=2.0)])  # no push: target 0
    assert m.fatigue[2] == pytest.approx(0.1 * (1 - 1 / model.config.behaviour.fatigue_memory_days),
                                         rel=1e-5)


def test_fatigue_decays_when_solicitation_stops():
    model, m = _fatigue_lab(other=0.0)
    memory = model.config.behaviour.fatigue_memory_days
    m.fatigue[:] = 0.6
    for day in range(2, 12):
        m.step(day, [output(), output()])
    np.testing.assert_allclose(m.fatigue[: m.n_engaging], 0.6 * (1 - 1 / memory) ** 10,
                               rtol=1e-5)


# --------------------------------------------------------------------------------------------
# 5. Following, unfollowing, thinning


def test_unfollowing_only_of_followers():
    model = lab(n=2000, behaviour={"unfollow_base": 0.05})
    m = model.market
    set_follows(m, np.arange(0, m.n_engaging, 2), 0)
    before = m.follows.copy()
    gone = 0
    for day in range(1, 6):
        previous = m.follows.copy()
        result = m.step(day, [output()])[0]
        assert not np.any(m.follows & ~previous), "someone followed"
        gone += int((previous & ~m.follows).sum())
        assert result.unfollows == int((previous & ~m.follows).sum())
        assert result.followers == int(m.follows.sum()) == int(m.follower_count[0])
    assert gone > 0
    assert not np.any(m.follows & ~before)


def _thinned_follows(h: float, days: int, n: int = 2000, seed: int = 1,
                     posts: float = 1.0) -> np.ndarray:
    # sentiment_sensitivity 1 doubles the thinning bound, so candidates are kept with chance 1/2
    # at neutral sentiment: the acceptance step is exercised, not only the candidate count.
    model = lab(n=n, behaviour={"sentiment_sensitivity": 1.0}, seed=seed)
    m = model.market
    counts = []
    for day in range(1, days + 1):
        set_follows(m, slice(None), 0, False)
        m.sentiment[:] = 0.0
        counts.append(m.step(day, [output(posts=posts, recruitment=h)])[0].new_follows)
    return np.array(counts)


def test_a_silent_page_gains_no_followers_and_exposure_scales_the_hazard():
    # Following needs exposure to the brand's activity: no posts, no new followers (ads and
    # friends' word of mouth have nothing to show); at half of follow_exposure_posts the
    # hazard is halved. 300 days of Binomial(2000, h) counts: within 4 standard errors.
    n, h, days = 2000, 0.005, 300
    assert _thinned_follows(h, 30, n, posts=0.0).sum() == 0
    half = lab(n=100).config.behaviour.follow_exposure_posts / 2
    counts = _thinned_follows(h, days, n, posts=half)
    se = np.sqrt(n * h / 2 * (1 - h / 2) / days)
    assert abs(counts.mean() - n * h / 2) <= 4 * se


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_thinning_gives_the_follow_hazard(seed):
    n, h, days = 2000, 0.005, 300
    counts = _thinned_follows(h, days, n, seed)
    # Mean of `days` Binomial(n, h) counts: within 4 standard errors. The documented loss of
    # duplicate candidates is ~ k^2 / (2n) = 0.1 of k = 2nh = 20 candidates a day, x 1/2
    # kept: 0.05 a day, a quarter of a standard error (0.18).
    se = np.sqrt(n * h * (1 - h) / days)
    assert abs(counts.mean() - n * h) <= 4 * se


def test_thinning_gives_the_follow_hazard_at_a_high_rate():
    n, h, days = 2000, 0.1, 100
    counts = _thinned_follows(h, days, n)
    se = np.sqrt(n * h * (1 - h) / days)
    assert abs(counts.mean() - n * h) <= 4 * se


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_thinning_gives_the_unfollow_hazard(seed):
    # unfollow_negative u at sentiment -1/2: rate u/2 with a thinning bound u (kept with 1/2).
    n, u, days = 2000, 0.01, 300
    model = lab(n=n, behaviour={"unfollow_negative": u}, seed=seed)
    m = model.market
    counts = []
    for day in range(1, days + 1):
        set_follows(m, slice(None), 0, True)
        m.sentiment[:] = -0.5
        counts.append(m.step(day, [output()])[0].unfollows)
    h = u / 2
    se = np.sqrt(n * h * (1 - h) / days)
    assert abs(np.mean(counts) - n * h) <= 4 * se


# --------------------------------------------------------------------------------------------
# Bass docking


BASS_P, BASS_Q, BASS_N, BASS_DAYS, BASS_SEEDS = 0.005, 0.08, 20_000, 150, (1, 2, 3, 4, 5)


def bass_model(seed: int) -> SocialBusinessModel:
    return lab(n=BASS_N, seed=seed, behaviour={"bass_q": BASS_Q},
               wom={"exogenous_crises_per_year": 0.0},
               brand={"recruitment_p": BASS_P, "budget": 1e12, "incident_rate": 0.0},
               horizon_days=BASS_DAYS)


def bass_theory(p, q, n, days, replicates):
    """Closed form, the daily (discrete) mean, and the standard error of a mean of replicates.

    The standard error comes from the binomial draw of each day (Binomial(n (1 - F), h) new
    followers, h = p + q F) propagated through the Bass dynamics (linear noise: the variance is
    multiplied by (1 + dF'/dF)^2 = (1 - h + q (1 - F))^2 each day): early fluctuations are
    amplified by imitation, so it is up to ~2.4 x the binomial sd of a single day.
    """
    t = np.arange(days + 1)
    e = np.exp(-(p + q) * t)
    closed = (1 - e) / (1 + (q / p) * e)
    discrete, variance = [0.0], [0.0]
    for _ in range(days):
        f, v = discrete[-1], variance[-1]
        h = p + q * f
        variance.append((1 - h + q * (1 - f)) ** 2 * v + (1 - f) * h * (1 - h) / n)
        discrete.append(f + (1 - f) * h)
    return closed, np.array(discrete), np.sqrt(np.array(variance) / replicates)


def test_fully_mixed_following_docks_with_the_bass_curve():
    curves = []
    for seed in BASS_SEEDS:
        model = bass_model(seed)
        m = model.market
        assert m.n_engaging == BASS_N and m.follower_count[0] == 0
        shares = [0.0]
        for _ in range(BASS_DAYS):
            model.step()
            shares.append(m.follower_count[0] / m.n_engaging)
        curves.append(shares)
    mean = np.mean(curves, axis=0)
    closed, discrete, se = bass_theory(BASS_P, BASS_Q, BASS_N, BASS_DAYS, len(BASS_SEEDS))
    # Tolerance: 4 standard errors of the mean of 5 replicates, plus the discretisation term
    # |daily recursion - continuous closed form| (one-day Euler steps; up to 0.017 here).
    tolerance = 4 * se + np.abs(discrete - closed)
    assert mean[-1] > 0.95  # the curve has risen
    worst = np.argmax(np.abs(mean - closed) - tolerance)
    assert np.all(np.abs(mean - closed) <= tolerance), (
        f"day {worst}: F = {mean[worst]:.4f}, Bass {closed[worst]:.4f}, "
        f"tolerance {tolerance[worst]:.4f}")


def test_bass_model_has_only_bass_following():
    # The docking set-up really switches everything else off.
    model = bass_model(1)
    model.run(days=20)
    frame = model.brand_frame()
    assert frame["unfollows"].sum() == 0
    assert frame["viral_views"].sum() == 0
    assert frame["complaints_new"].sum() == 0
    assert frame["followers"].is_monotonic_increasing
    assert frame["followers"].iloc[-1] > 0


# --------------------------------------------------------------------------------------------
# Customer records and the recorded sample


def test_customer_record_matches_the_state():
    model = lab(n=300, brands=2, engaging=0.5, active=0.1, network="small_world", follow=0.5)
    m = model.market
    model.run(days=3)
    for i in (0, m.n_active - 1, m.n_active, m.n_engaging, m.n - 1):
        record = model.customers[i]
        assert record.id == i
        assert record.engaging == (i < m.n_engaging)
        assert record.active == (i < m.n_active)
        assert record.friends == int(m.network.degree[i])
        assert record.fatigue == pytest.approx(float(m.fatigue[i]), abs=1e-4)
        assert record.attention_posts_per_day == pytest.approx(float(m.attention[i]), abs=1e-3)
        assert set(record.motivations) == {k for k, v in zip(CONTENT_TYPES, m.motivations[i],
                                                             strict=True) if v}
        assert list(record.brands) == ["acme", "brio"]
        for b, name in enumerate(["acme", "brio"]):
            fields = record.brands[name]
            assert fields["following"] == bool(m.follows[i, b])
            assert fields["customer"] == bool(m.is_customer[i, b])
            assert fields["knows"] == bool(m.knows[i, b])
            assert fields["sentiment"] == pytest.approx(float(m.sentiment[i, b]), abs=1e-4)
            assert isinstance(fields["open_complaint"], bool)
    assert model.customers[-1] == model.customers[m.n - 1]
    assert len(model.customers) == m.n
    with pytest.raises(IndexError):
        model.customers[m.n]


def test_non_engaging_customers_have_no_motivation_and_never_follow():
    model = lab(n=500, engaging=0.4, follow=1.0)
    m = model.market
    model.run(days=5)
    for i in (m.n_engaging, m.n - 1):
        assert model.customers[i].motivations == ()
    assert not m.follows[m.n_engaging:].any()


def test_sample_records_one_row_per_day_and_sampled_customer():
    model = lab(n=300, brands=2, market={"sample_size": 25}, follow=0.3)
    model.run(days=4)
    m = model.market
    frame = m.sample_frame()
    assert len(m.sample_ids) == 25 and len(np.unique(m.sample_ids)) == 25
    assert len(frame) == 5 * 25
    assert sorted(frame["day"].unique()) == [0, 1, 2, 3, 4]
    last = frame[frame["day"] == 4].set_index("customer").loc[m.sample_ids]
    np.testing.assert_array_equal(last["follows_brio"], m.follows[m.sample_ids, 1])
    np.testing.assert_array_equal(last["customer_acme"], m.is_customer[m.sample_ids, 0])
    np.testing.assert_allclose(last["fatigue"], m.fatigue[m.sample_ids])
    np.testing.assert_array_equal(last["engaging"], m.sample_ids < m.n_engaging)


# --------------------------------------------------------------------------------------------
# Complaints and cascades


CASCADES = {"p_reshare": 0.3, "p_see_friend_post": 0.6, "p_complain_public": 0.5}
BUYERS = {"market_share": 0.5, "awareness": 0.8}


def _complaint_model(coverage: float, seed: int, hours: float = 1000.0, n: int = 2000):
    return lab(n=n, network="small_world", engaging=0.6, active=0.05, seed=seed, wom=CASCADES,
               market={"market_size": float(n)},  # one simulated person is one real person
               brand={**BUYERS, "incident_rate": 0.01, "listening_coverage": coverage,
                      "departments": {"customer_service": {"capacity_hours": hours}}})


def test_answered_complaint_stops_spreading():
    model = _complaint_model(coverage=0.3, seed=4)
    table = model.market.complaints.table
    sizes = []
    for _ in range(40):
        model.step()
        sizes.append(table.size.copy())
    frame = table.to_frame()
    answered = frame[frame["status"] == "answered"]
    assert len(answered) > 0
    spread_before_answer = 0
    for j, row in answered.iterrows():
        day = int(row["answered"])
        final = sizes[-1][j]
        if day > int(row["opened"]):
            before = sizes[day - 2][j]  # end of the day before the answer (sizes[0] is day 1)
            spread_before_answer += before > 1
            assert final == before, f"complaint {j} grew after its answer on day {day}"
        else:
            assert final == sizes[day - 1][j]
    assert spread_before_answer > 0  # some answered complaints had spread: the test bites


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_full_listening_and_capacity_answer_fast_and_shrink_cascades(seed):
    sizes = {}
    for coverage in (0.0, 1.0):
        model = _complaint_model(coverage, seed)
        model.run(days=30)
        frame = model.market.complaints.table.to_frame()
        customer = frame[frame["origin"] == "customer"]
        assert len(customer) > 20
        sizes[coverage] = customer["size"].mean()
        if coverage == 1.0:
            assert (customer["status"] == "answered").all()
            assert (customer["answered"] - customer["opened"]).max() <= 1
    # Answered on the day they are posted, complaints never reach beyond their author.
    assert sizes[1.0] < sizes[0.0]


def last_exposed(complaints) -> np.ndarray:
    """Day each person last saw a complaint about each brand, as (customers, brands)."""
    table = complaints.last_exposed
    n = complaints.population.n
    return table if table.shape[0] == n else table.T


def _recounts_within_refractory(refractory: int, days: int = 30):
    """Run a cascade-heavy market; per day, who was counted again too soon (and authors)."""
    model = lab(n=1500, network="small_world", engaging=0.8, seed=3,
                wom={**CASCADES, "refractory_days": refractory, "p_reshare": 0.5},
                brand={**BUYERS, "incident_rate": 0.02})
    c = model.market.complaints
    viewers_again = authors_too_soon = viewers_too_soon = 0
    for day in range(1, days + 1):
        before = last_exposed(c).copy()
        n_before = c.table.n
        model.step()
        after = last_exposed(c)
        changed = after != before
        assert np.all(after[changed] == day)
        # One count per person and brand a day: today's exposures are the people stamped today.
        exposures = [model.brands[n].today.negative_exposures for n in model.brands]
        assert exposures == list(changed.sum(axis=0))
        authors = np.zeros_like(changed)
        new = slice(n_before, c.table.n)
        authors[c.table.complainant[new], c.table.brand[new]] = True
        again = changed & (before != NEVER)
        too_soon = again & (day - before < refractory)
        viewers_again += int((again & ~authors).sum())
        viewers_too_soon += int((too_soon & ~authors).sum())
        authors_too_soon += int((too_soon & authors).sum())
    return viewers_again, viewers_too_soon, authors_too_soon


def test_viewers_are_not_counted_twice_for_a_brand_within_refractory_days():
    viewers_again, viewers_too_soon, _ = _recounts_within_refractory(refractory=5)
    assert viewers_again > 0  # people were exposed again after their refractory period
    assert viewers_too_soon == 0


def test_nobody_is_counted_twice_for_a_brand_within_refractory_days():
    _, viewers_too_soon, authors_too_soon = _recounts_within_refractory(refractory=30)
    assert viewers_too_soon + authors_too_soon == 0


# --------------------------------------------------------------------------------------------
# Crisis levels


@pytest.mark.parametrize(
    ("exposed", "level"),
    [(49, 0), (50, 1), (149, 1), (150, 2), (299, 2), (300, 3), (1000, 3)],
)
def test_crisis_level_follows_the_thresholds(exposed, level):
    # 1000 customers: thresholds 5%, 15%, 30% are 50, 150 and 300 people in the window.
    model = lab(n=1000)
    wom = model.config.word_of_mouth
    assert (wom.crisis_l1, wom.crisis_l2, wom.crisis_l3) == (0.05, 0.15, 0.3)
    model.market.complaints.injected_exposures[0] = exposed
    model.step()
    today = model.brands["acme"].today
    assert today.negative_exposures == exposed
    assert today.crisis_level == level
    assert today.crisis_started == (level > 0)
    assert [e.kind for e in model.log_book].count("crisis_start") == (level > 0)


def test_crisis_level_sums_the_window():
    model = lab(n=1000)
    c = model.market.complaints
    window = model.config.word_of_mouth.crisis_window_days
    assert window == 3
    model.run(days=2)
    # Day 3's window holds days 1, 2 and 3 (row day % window): set days 1 and 2 by hand.
    c.exposure_window[1 % window, 0] = 20
    c.exposure_window[2 % window, 0] = 20
    c.injected_exposures[0] = 10
    model.step()
    assert model.brands["acme"].today.crisis_level == 1  # 20 + 20 + 10 = 50 = 5%
    model.step()  # day 4: day 1 leaves the window, nothing new: 20 + 10 = 30
    assert model.brands["acme"].today.crisis_level == 1  # the crisis holds its peak level


def test_crisis_wakes_the_executives():
    model = lab(n=1000)
    executive = model.brands["acme"].departments["executive"]
    before = executive.awareness
    model.market.complaints.injected_exposures[0] = 200  # level 2 at once
    model.step()
    boost = model.config.word_of_mouth.crisis_awareness_boost
    assert model.brands["acme"].today.crisis_escalation == 2
    decay = model.config.organisation.awareness_decay_days
    raised = min(1.0, before + 2 * boost)
    baseline = executive.baseline_awareness
    assert executive.awareness == pytest.approx(raised + (baseline - raised) / decay, abs=1e-12)
    assert baseline == pytest.approx(min(1.0, before + boost), abs=1e-12)


def test_origins_of_injected_crises():
    model = lab(n=1000)
    model.apply({"kind": "crisis", "brand": "acme", "cause": "ngo_attack", "n_seeds": 3})
    frame = model.market.complaints.table.to_frame()
    assert set(frame["origin"]) == {"ngo_attack"}
    assert len(frame) == 15  # an NGO attack starts with five times more posters
    assert ORIGINS[0] == "customer"


# --------------------------------------------------------------------------------------------
# The compiled daily passes (simulation.kernels) and their numpy twins give the same bits.


def _run_with_threshold(monkeypatch, threshold: int, network: str = "small_world"):
    from simulation import kernels

    monkeypatch.setattr(kernels, "MIN_PAIRS_FOR_NUMBA", threshold)
    model = SocialBusinessModel("crisis-wakeup", rng=5, overrides={
        "market.n_customers": 3000, "market.network": network,
        "word_of_mouth.exogenous_crises_per_year": 20.0})
    model.run(days=60)
    return model


@pytest.mark.parametrize("network", ["small_world", "scale_free", "fully_mixed"])
def test_compiled_and_numpy_market_passes_give_identical_runs(monkeypatch, network):
    # The compiled rules draw from the model's generator themselves (simulation.
    # compiled_rules): any draw out of order would change every number after it.
    import pandas as pd

    from simulation import kernels

    if not kernels.numba_enabled():
        pytest.skip("numba not importable here (or SOCBIZ_NUMBA=0): only the numpy path runs")
    compiled = _run_with_threshold(monkeypatch, 0, network)
    plain = _run_with_threshold(monkeypatch, 10**18, network)
    pd.testing.assert_frame_equal(compiled.brand_frame(), plain.brand_frame(), check_exact=True)
    for name in ("sentiment_bn", "fatigue", "follows_bn", "customer_bn", "knows_bn",
                 "ever_engaged"):
        np.testing.assert_array_equal(getattr(compiled.market, name),
                                      getattr(plain.market, name), err_msg=name)
    pd.testing.assert_frame_equal(compiled.market.complaints.table.to_frame(),
                                  plain.market.complaints.table.to_frame(), check_exact=True)
    assert plain.brand_frame()["incidents"].sum() > 0  # the compiled incidents ran
    # Both leave the generator in the same state.
    assert compiled.market.rng.random() == plain.market.rng.random()


def test_the_days_kept_net_sentiment_counts_equal_a_fresh_count(monkeypatch):
    # The compiled decay pass counts the net sentiment, and the day's later changes (incidents,
    # word of mouth, answers, crises) keep the counts true: each day they equal a count of the
    # state anew, exactly. A crisis injected between days changes the state without them.
    from simulation import kernels

    if not kernels.numba_enabled():
        pytest.skip("numba not importable here (or SOCBIZ_NUMBA=0): only the numpy path runs")
    monkeypatch.setattr(kernels, "MIN_PAIRS_FOR_NUMBA", 0)
    model = SocialBusinessModel("crisis-wakeup", rng=3, overrides={
        "market.n_customers": 3000, "word_of_mouth.exogenous_crises_per_year": 30.0})
    market, kept = model.market, 0
    for day in range(60):
        if day == 20:
            market.inject_crisis(next(iter(model.brands.values())), "ngo_attack", 3.0, 5, day)
        model.step()
        sums = market.population.known_sums
        if sums is None:
            continue
        kept += 1
        known, total = kernels.known_sentiment(market.sentiment_bn, market.knows_bn,
                                               enabled=False)
        np.testing.assert_array_equal(sums[0], known)
        np.testing.assert_array_equal(sums[1] / float(kernels.SENTIMENT_SCALE), total)
    assert kept == 60  # every day's counts were kept to the end of the day
    assert model.brand_frame()["complaints_new"].sum() > 0


def test_compiled_draws_one_at_a_time_equal_numpys_arrays():
    # What the compiled rules rely on: numba's Generator, rebuilt from the bit generator's
    # addresses, draws numpy's numbers one by one, and moves the same generator on.
    from simulation import kernels

    if not kernels.numba_enabled():
        pytest.skip("numba not importable here (or SOCBIZ_NUMBA=0): only the numpy path runs")
    from numba import njit

    from simulation.compiled_rules import bernoulli_positions, generator_at

    @njit
    def draws(addresses, n):
        g = generator_at(addresses)
        uniform, exponential = np.empty(n), np.empty(n, np.float32)
        gaps, single = np.empty(n, np.int64), np.empty(n, np.float32)
        for k in range(n):
            uniform[k] = g.random()
        for k in range(n):
            exponential[k] = g.standard_exponential(dtype=np.float32)
        for k in range(n):
            gaps[k] = g.geometric(0.003)
        for k in range(n):
            single[k] = g.random(dtype=np.float32)
        return uniform, exponential, gaps, single, bernoulli_positions(g, 90_000, 0.004,
                                                                       block)

    from simulation.population import bernoulli_positions as numpy_positions
    from simulation.population import gap_block_size

    block = gap_block_size(90_000, 0.004)

    for n in (1, 7, 1000):  # odd counts: float32 draws use half of a 64-bit word
        compiled, plain = np.random.default_rng(n), np.random.default_rng(n)
        got = draws(kernels.GeneratorAddresses().of(compiled), n)
        expected = (plain.random(n), plain.standard_exponential(n, dtype=np.float32),
                    plain.geometric(0.003, n), plain.random(n, dtype=np.float32),
                    numpy_positions(plain, 90_000, 0.004))
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
        assert compiled.random() == plain.random()


def test_generator_addresses_follow_a_copied_generator():
    import copy

    from simulation import kernels

    rng = np.random.default_rng(3)
    addresses = kernels.GeneratorAddresses()
    first = addresses.of(rng).copy()
    assert np.array_equal(addresses.of(rng), first)  # read once
    other = copy.deepcopy(rng)
    assert addresses.of(other)[0] != first[0]  # the copy's own state, not the original's


@pytest.mark.parametrize("seed", [1, 2])
def test_compiled_and_numpy_kernels_agree_bit_for_bit(monkeypatch, seed):
    # The passes without draws; the rules that draw (engagement, shares, follows, churn,
    # incidents) are compared by whole runs above.
    from simulation import kernels

    if not kernels.numba_enabled():
        pytest.skip("numba not importable here (or SOCBIZ_NUMBA=0): only the numpy path runs")
    rng = np.random.default_rng(seed)
    nb, n, ne = 4, 70_000, 40_000
    follows = rng.random((nb, n)) < 0.1
    sentiment = rng.uniform(-1, 1, (nb, n)).astype(np.float32)
    knows = rng.random((nb, n)) < 0.6
    customer = rng.random((nb, n)) < 0.2
    per_customer = rng.random(ne).astype(np.float32)
    attention = rng.lognormal(0, 1, n).astype(np.float32)
    fatigue = rng.random(n).astype(np.float32)
    posts = rng.random(nb).astype(np.float32) * 3
    constants = np.array([1e-9, 0.1, 2.0, 1.5, 0.5, 0.3], np.float32)
    results = {}
    for threshold in (0, 10**18):
        monkeypatch.setattr(kernels, "MIN_PAIRS_FOR_NUMBA", threshold)
        s = sentiment.copy()
        kernels.decay_sentiment(s, customer, np.float32(0.99), np.float32(0.004))
        results[threshold] = (
            kernels.feed(follows, ne, 5000, posts, posts * 0.3, attention, fatigue,
                         np.float32(30), constants),
            kernels.known_sentiment(sentiment, knows),
            kernels.follower_sums(follows, ne, per_customer.clip(0, 1), fatigue),
            s)
    a, b = results[0], results[10**18]
    for x, y in zip(a, b, strict=True):
        for u, v in zip(x if isinstance(x, tuple) else (x,), y if isinstance(y, tuple) else (y,),
                        strict=True):
            np.testing.assert_array_equal(u, v)
