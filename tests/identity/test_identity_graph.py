"""Identity stitching on crafted graphs with a known right answer (real dbt builds)."""

from pathlib import Path

import pytest

from tests.support.identity_scenarios import identify_rows
from tests.support.warehouse import query, run_dbt, write_raw_tables
from upstream_cli.explain_identity import main as explain_main


@pytest.fixture(scope="module")
def identity_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("identity") / "upstream.duckdb"
    write_raw_tables(db, {"identifies": identify_rows()})
    run_dbt(db, "build")
    return db


def profile_of(db: Path, id_type: str, id_value: str) -> str | None:
    rows = query(
        db, "select profile_id from id_graph where id_type = ? and id_value = ?", [id_type, id_value]
    )
    return rows[0][0] if rows else None


def same_profile(db: Path, *identifiers: tuple[str, str]) -> bool:
    profiles = {profile_of(db, id_type, value) for id_type, value in identifiers}
    return len(profiles) == 1 and None not in profiles


def test_chain_is_one_profile(identity_warehouse):
    assert same_profile(
        identity_warehouse,
        ("anonymous_id", "chain-a1"),
        ("email", "chain.e1@gmail.com"),
        ("anonymous_id", "chain-a2"),
        ("user_id", "chain-u1"),
    )


def test_star_is_one_profile(identity_warehouse):
    assert same_profile(
        identity_warehouse,
        ("user_id", "star-u2"),
        ("anonymous_id", "star-b1"),
        ("anonymous_id", "star-b2"),
        ("anonymous_id", "star-b3"),
        ("device_id", "STAR-D1"),
    )


def test_shared_laptop_keeps_two_people_apart(identity_warehouse):
    db = identity_warehouse
    assert same_profile(
        db, ("user_id", "shared-u3"), ("anonymous_id", "shared-s1"), ("email", "parent@gmail.com")
    )
    assert same_profile(
        db, ("user_id", "shared-u4"), ("anonymous_id", "shared-s2"), ("email", "teen@gmail.com")
    )
    assert profile_of(db, "user_id", "shared-u3") != profile_of(db, "user_id", "shared-u4")
    refused = query(
        db,
        "select id_value_a, id_value_b, reason from identity_refused_links "
        "where 'shared-s1' in (id_value_a, id_value_b)",
    )
    assert [(sorted(r[:2]), r[2]) for r in refused] == [
        (["shared-s1", "shared-u4"], "max_per_profile:user_id")
    ]


@pytest.mark.parametrize(
    ("id_type", "value", "reason"),
    [
        # the local part repeats the domain's name: caught by validation before the blocklist
        ("email", "test@test.com", "placeholder_email"),
        ("email", "noreply@gmail.com", "blocklisted"),
        ("email", "bob@example.com", "reserved_email_domain"),
        ("phone", "+10000000000", "invalid_phone"),
        ("phone", "+11235550100", "invalid_phone"),
        ("email", "front.desk@gmail.com", "hub_user_ids"),
    ],
)
def test_junk_and_hubs_are_excluded_with_reason(identity_warehouse, id_type, value, reason):
    rows = query(
        identity_warehouse,
        "select exclusion_reason from identity_excluded_identifiers where id_type = ? and id_value = ?",
        [id_type, value],
    )
    assert rows == [(reason,)]
    assert profile_of(identity_warehouse, id_type, value) is None


def test_junk_does_not_weld_strangers(identity_warehouse):
    profiles = {profile_of(identity_warehouse, "anonymous_id", f"junk-j{i}") for i in range(1, 11)}
    assert len(profiles) == 10 and None not in profiles


def test_hub_users_stay_apart(identity_warehouse):
    profiles = {profile_of(identity_warehouse, "user_id", f"hub-u{i}") for i in range(1, 5)}
    assert len(profiles) == 4
    (counts,) = query(
        identity_warehouse,
        "select distinct_user_ids from identity_excluded_identifiers where id_value = 'front.desk@gmail.com'",
    )
    assert counts == (4,)


def test_format_variants_link(identity_warehouse):
    assert same_profile(
        identity_warehouse,
        ("anonymous_id", "fmt-k1"),
        ("anonymous_id", "fmt-k2"),
        ("anonymous_id", "fmt-k3"),
        ("email", "kim.lee@shop.io"),
        ("phone", "+14155550199"),
    )


def test_type_limit_keeps_earliest_and_refuses_the_rest(identity_warehouse):
    db = identity_warehouse
    user_profile = profile_of(db, "user_id", "lim-u7")
    emails = query(
        db,
        "select id_value from id_graph where profile_id = ? and id_type = 'email' order by 1",
        [user_profile],
    )
    assert [e for (e,) in emails] == [f"lim.{i}@gmail.com" for i in range(1, 6)]
    assert profile_of(db, "email", "lim.6@gmail.com") not in (None, user_profile)
    refused = query(
        db, "select reason from identity_refused_links where 'lim.6@gmail.com' in (id_value_a, id_value_b)"
    )
    assert refused == [("max_per_profile:email",)]


def test_no_profile_breaks_a_limit(identity_warehouse):
    over = query(
        identity_warehouse,
        """
        select profile_id, id_type, count(*) from id_graph group by all
        having (id_type = 'user_id' and count(*) > 1) or (id_type = 'email' and count(*) > 5)
        """,
    )
    assert over == []


def test_every_refused_link_has_a_reason(identity_warehouse):
    assert query(identity_warehouse, "select count(*) from identity_refused_links where reason is null") == [
        (0,)
    ]


def test_explain_prints_the_chain_and_its_source_rows(identity_warehouse, capsys):
    code = explain_main(["--db", str(identity_warehouse), "why", "anonymous_id:chain-a1", "user_id:chain-u1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "linked in 3 step(s)" in out
    assert "anonymous_id:chain-a1  <->  email:chain.e1@gmail.com" in out
    assert "seen together in stg_segment__identifies row chain-2" in out


def test_explain_says_why_not(identity_warehouse, capsys):
    explain_main(["--db", str(identity_warehouse), "why", "user_id:shared-u3", "user_id:shared-u4"])
    assert "refused link" in capsys.readouterr().out
    explain_main(["--db", str(identity_warehouse), "why", "email:test@test.com", "anonymous_id:junk-j1"])
    assert (
        "excluded from linking: placeholder_email (2 mentions, 0 user ids, 2 anonymous ids)"
        in capsys.readouterr().out
    )


def test_largest_profiles_report_bridges(identity_warehouse, capsys):
    explain_main(["--db", str(identity_warehouse), "largest", "--top", "1"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(": 7 identifiers (anonymous_id=1, email=5, user_id=1)")
    assert any("bridge user_id:lim-u7" in line for line in out)
