"""Form assembly, table-driven over synthetic banks."""

from collections import Counter
from dataclasses import replace

import pytest

from app.exams.assembly import AssemblyError, Candidate, assemble_form, count_disjoint_forms
from app.exams.blueprints import default_blueprints

P = [f"P{n}" for n in range(1, 11)]
S = [f"S{n}" for n in range(1, 9)]
L = [f"L{n}" for n in range(1, 7)]
BLUEPRINTS = default_blueprints({"practitioner": P, "supervisor": S, "leader": L})


def general(tier, codes, per_code, start=0, exposure=0):
    return [Candidate(f"{tier[:4]}-g{start + n:03d}", tier, codes[n % len(codes)], "general", exposure=exposure)
            for n in range(per_code * len(codes))]


def scenarios(tier, codes, count, per_scenario, offset=0):
    """`count` scenarios of `per_scenario` items; item j of scenario s is on codes[(s * per + j) % len]."""
    return [Candidate(f"{tier[:4]}-a{s}{j}", tier, codes[(s * per_scenario + j + offset) % len(codes)], "applied",
                      scenario=f"{tier[:4]}-sc{s}", stage_order=j // 2)
            for s in range(count) for j in range(per_scenario)]


PRACTITIONER = general("practitioner", P, 4) + scenarios("practitioner", P, 4, 6)


def test_a_practitioner_form_has_the_national_shape():
    form = assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER)
    assert (len(form.general), len(form.applied)) == (18, 12)
    chosen = [c for c in PRACTITIONER if c.id in form.items]
    assert {c.kss for c in chosen} == set(P)  # every statement covered
    assert len({c.scenario for c in chosen if c.scenario}) <= 2


def test_a_scenarios_items_stay_together_in_stage_order():
    form = assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER)
    by_id = {c.id: c for c in PRACTITIONER}
    sequence = [(by_id[i].scenario, by_id[i].stage_order) for i in form.applied]
    assert sequence == sorted(sequence)
    assert len(form.items) == len(set(form.items))


def test_items_seen_before_are_never_repeated():
    first = assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER)
    second = assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER, seen=first.items)
    assert not set(first.items) & set(second.items)


def test_least_exposed_items_are_preferred():
    pool = general("practitioner", P, 2, exposure=9) + general("practitioner", P, 2, start=100) + scenarios("practitioner", P, 2, 6)
    form = assemble_form(BLUEPRINTS["practitioner"], pool)
    exposures = Counter(c.exposure for c in pool if c.id in form.general)
    assert exposures == {0: 18}


def test_the_seed_varies_the_form_between_candidates():
    forms = {assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER, seed=seed).items for seed in range(5)}
    assert len(forms) > 1
    assert assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER, seed=3) == assemble_form(BLUEPRINTS["practitioner"], PRACTITIONER, seed=3)


def test_supervisor_and_leader_forms_draw_general_items_from_the_tier_below():
    supervisor = general("practitioner", P, 4) + scenarios("supervisor", S, 4, 6)
    form = assemble_form(BLUEPRINTS["supervisor"], supervisor)
    assert all(i.startswith("prac-g") for i in form.general) and all(i.startswith("supe-a") for i in form.applied)
    leader = general("supervisor", S, 5) + scenarios("leader", L, 4, 6)
    form = assemble_form(BLUEPRINTS["leader"], leader)
    assert all(i.startswith("supe-g") for i in form.general) and len(form.applied) == 12


@pytest.mark.parametrize(
    "blueprint, pool, message",
    [
        ("practitioner", general("practitioner", P, 1) + scenarios("practitioner", P, 4, 6),
         "the bank has 10 unseen live general item(s) on practitioner statements for 18 places"),
        ("practitioner", general("practitioner", P, 4) + scenarios("practitioner", P, 1, 6),
         "the bank has 6 unseen live applied practitioner item(s) for 12 places"),
        ("practitioner", [c for c in PRACTITIONER if c.kss != "P8"],
         "statement P8 needs 1 item(s) on every form, but the bank has 0 unseen live item(s) mapped to it"),
        ("practitioner", general("practitioner", P, 4) + scenarios("practitioner", P, 12, 1),
         "no set of up to 2 scenario(s) has 12 unseen live applied practitioner items"),
        ("one-scenario-supervisor", general("practitioner", P, 4)
         + [Candidate(f"supe-a{s}{j:02d}", "supervisor", S[4 * s + j % 4], "applied", scenario=f"supe-sc{s}") for s in (0, 1) for j in range(12)],
         "no set of up to 1 scenario(s) with the general items covers every required statement; the closest (supe-sc0) "
         "leaves S5, S6, S7, S8 uncovered"),
    ],
    ids=["too-few-general", "too-few-applied", "statement-missing", "scenarios-too-small", "coverage-impossible"],
)
def test_assembly_fails_loudly_with_the_reason(blueprint, pool, message):
    blueprints = {**BLUEPRINTS, "one-scenario-supervisor": replace(BLUEPRINTS["supervisor"], max_scenarios=1)}
    with pytest.raises(AssemblyError) as error:
        assemble_form(blueprints[blueprint], pool)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    "pool, forms",
    [
        (PRACTITIONER, 2),
        (general("practitioner", P, 2) + scenarios("practitioner", P, 4, 6), 1),
        ([c for c in PRACTITIONER if not (c.kss == "P8" and c.kind == "general")], 2),  # P8 only in two scenarios
        (general("practitioner", P, 6) + scenarios("practitioner", P, 6, 6), 3),
    ],
)
def test_count_disjoint_forms(pool, forms):
    assert count_disjoint_forms(BLUEPRINTS["practitioner"], pool) == forms


def test_blueprint_defaults_follow_the_national_scheme():
    practitioner = BLUEPRINTS["practitioner"]
    assert (practitioner.time_limit_minutes, practitioner.items, practitioner.general, practitioner.applied) == (60, 30, 18, 12)
    assert BLUEPRINTS["supervisor"].general_from == "practitioner" and BLUEPRINTS["leader"].general_from == "supervisor"
    assert BLUEPRINTS["leader"].minimum_per_statement == {code: 1 for code in L}


def _with_enemies(pool, enemies: dict[str, set[str]]):
    return [replace(c, enemies=frozenset(enemies.get(c.id, ()))) for c in pool]


@pytest.mark.parametrize("seed", range(12))
def test_enemy_items_never_share_a_form(seed):
    ids = [c.id for c in PRACTITIONER if c.kind == "general"]
    # pairs across the whole general pool, declared on one side only: enmity is symmetric
    enemies = {ids[n]: {ids[n + 1]} for n in range(0, len(ids) - 1, 2)}
    form = assemble_form(BLUEPRINTS["practitioner"], _with_enemies(PRACTITIONER, enemies), seed=seed)
    for item, others in enemies.items():
        assert not (item in form.items and others & set(form.items))


@pytest.mark.parametrize("seed", range(12))
def test_an_item_that_names_a_scenario_never_shares_a_form_with_it(seed):
    general_ids = [c.id for c in PRACTITIONER if c.kind == "general"]
    enemies = {item: {"prac-sc0", "prac-sc1"} for item in general_ids[:6]}
    form = assemble_form(BLUEPRINTS["practitioner"], _with_enemies(PRACTITIONER, enemies), seed=seed)
    on_form = {c.scenario for c in PRACTITIONER if c.id in form.items and c.scenario}
    if on_form & {"prac-sc0", "prac-sc1"}:
        assert not set(general_ids[:6]) & set(form.items)


def test_assembly_says_when_enemy_rules_leave_too_few_items():
    pool = general("practitioner", P, 2) + scenarios("practitioner", P, 1, 12)  # exactly 20 general, 12 applied
    ids = [c.id for c in pool if c.kind == "general"]
    enemies = {ids[0]: {"prac-sc0"}, ids[1]: {"prac-sc0"}, ids[2]: {"prac-sc0"}}  # 17 general left with the only scenario
    with pytest.raises(AssemblyError, match="enemy rules leave too few items"):
        assemble_form(BLUEPRINTS["practitioner"], _with_enemies(pool, enemies))
