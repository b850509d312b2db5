"""The demo data generator: deterministic, realistic in shape, honest about its ground truth."""

from pathlib import Path

import duckdb
import pytest

from datagen.cli import main as datagen_main
from datagen.generate import GenerationConfig, generate
from datagen.governance import GOVERNANCE_DEFECTS, GOVERNANCE_TABLES
from datagen.planted import DEFECTS
from datagen.raw_tables import TABLES
from tests.support.warehouse import query
from upstream_cli import report

TRUTH_TABLES = {
    "persons",
    "identifiers",
    "events",
    "orders",
    "junk_identifiers",
    "planted_rejects",
    "generation",
    "privacy_requests",
    "consent_records",
    "deleted_persons",
}


def _checksums(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'truth') order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(
                f"select count(*), sum(hash(t)) from {schema}.{table} as t"
            ).fetchone()
            for schema, table in tables
        }


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    first, second, other = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    generate(GenerationConfig(db_path=first, events=3_000, seed=3, threads=1))
    generate(GenerationConfig(db_path=second, events=3_000, seed=3, threads=2))
    generate(GenerationConfig(db_path=other, events=3_000, seed=4))
    sums = _checksums(first)
    assert len(sums) == len(TABLES) + len(GOVERNANCE_TABLES) + len(TRUTH_TABLES)
    assert sums == _checksums(second)
    assert sums["raw.identifies"] != _checksums(other)["raw.identifies"]


def test_truth_schema_has_every_table(generated):
    tables = {
        t
        for (t,) in query(
            generated, "select table_name from information_schema.tables where table_schema = 'truth'"
        )
    }
    assert tables == TRUTH_TABLES


def test_every_true_identifier_belongs_to_one_person(generated):
    shared = query(
        generated,
        "select id_type, id_value from truth.identifiers group by all having count(distinct person_id) > 1",
    )
    assert shared == []
    junk_in_truth = query(
        generated,
        "select count(*) from truth.identifiers i join truth.junk_identifiers j using (id_type, id_value)",
    )
    assert junk_in_truth == [(0,)]


def test_population_shape(generated):
    (devices_min, devices_max, guests, people) = query(
        generated,
        "select min(device_count), max(device_count), count(*) filter (where not has_account), count(*) "
        "from truth.persons",
    )[0]
    assert (devices_min, devices_max) == (1, 3)
    assert 0.15 < guests / people < 0.35
    (checkouts,) = query(generated, "select count(distinct id) from raw.checkout_started")[0]
    (orders,) = query(generated, "select count(*) from truth.orders")[0]
    abandoned = 1 - orders / checkouts
    assert 0.25 < abandoned < 0.42, f"about a third of checkouts should be abandoned, got {abandoned:.2f}"
    (app_rows_without_device,) = query(
        generated, "select count(*) from raw.screens where context_device_id is null"
    )[0]
    assert app_rows_without_device == 0


def test_raw_data_has_duplicates_variants_and_junk(generated):
    (dup_messages,) = query(
        generated, "select count(*) from (select id from raw.tracks group by id having count(*) > 1)"
    )[0]
    assert dup_messages > 0
    (non_canonical_emails,) = query(
        generated, "select count(*) from raw.identifies where email <> lower(trim(email))"
    )[0]
    assert non_canonical_emails > 0
    (formatted_phones,) = query(
        generated, "select count(*) from raw.identifies where phone like '(%' or phone like '%.%'"
    )[0]
    assert formatted_phones > 0
    (junk,) = query(
        generated,
        "select count(*) from raw.identifies i join truth.junk_identifiers j on i.user_id = j.id_value",
    )[0]
    assert junk > 0


def test_every_planted_defect_is_recorded(generated):
    recorded = {d for (d,) in query(generated, "select distinct defect from truth.planted_rejects")}
    assert recorded == {defect.name for defect in DEFECTS} | {row[2] for row in GOVERNANCE_DEFECTS}


def test_every_planted_row_is_rejected_for_its_reason(generated_and_built):
    misses = query(
        generated_and_built,
        """
        select p.source_table, p.defect, p.expected_reason, r.reason
        from truth.planted_rejects as p
        left join main.rejected_events as r
            on r.source_table = p.source_table and r.message_id is not distinct from p.message_id
        where r.reason is distinct from p.expected_reason
        """,
    )
    assert misses == []
    unexpected = query(
        generated_and_built,
        "select count(*) from main.rejected_events r where not exists ("
        "select 1 from truth.planted_rejects p where p.source_table = r.source_table "
        "and p.message_id is not distinct from r.message_id)",
    )
    assert unexpected == [(0,)], "only planted rows should be rejected"


@pytest.mark.parametrize("id_type", ["email", "phone"])
def test_staging_recovers_every_true_email_and_phone(generated_and_built, id_type):
    staged = f"""
        select {id_type} as v from main.stg_segment__identifies union
        select {id_type} from main.stg_segment__checkout_started_events union
        select {id_type} from main.stg_segment__order_completed_events
    """
    truth = f"select id_value as v from truth.identifiers where id_type = '{id_type}'"
    missing = query(generated_and_built, f"select count(*) from (({truth}) except ({staged}))")
    assert missing == [(0,)], f"every formatting variant of a true {id_type} must normalize to it"
    extra = query(
        generated_and_built,
        f"select v from ({staged}) where v is not null except ({truth}) order by v",
    )
    junk = {v for (v,) in query(generated_and_built, "select id_value from truth.junk_identifiers")}
    # Junk values are valid-looking text: staging keeps them and the identity layer excludes them.
    unexplained = [v for (v,) in extra if v not in junk and v.removeprefix("+1") not in junk]
    assert unexplained == []


def test_staged_events_match_truth(generated_and_built):
    (missing,) = query(
        generated_and_built,
        "select count(*) from truth.events t where t.source_table = 'pages' and not exists "
        "(select 1 from main.stg_segment__pages s where s.message_id = t.message_id)",
    )[0]
    assert missing == 0


def test_report_prints_rows_in_staged_and_reasons(generated_and_built, capsys):
    assert report.main(["--db", str(generated_and_built)]) == 0
    out = capsys.readouterr().out
    assert "Staging summary" in out
    for reason in {defect.expected_reason for defect in DEFECTS}:
        assert reason in out
    assert "profiles holding two or more user ids: 0" in out


def test_cli_refuses_to_overwrite_without_replace(generated, capsys):
    assert datagen_main(["--db", str(generated), "--events", "1000"]) == 2
    assert "--replace" in capsys.readouterr().err


def test_cli_rejects_bad_arguments(tmp_path, capsys):
    assert datagen_main(["--db", str(tmp_path / "x.duckdb"), "--events", "5"]) == 2
    assert "--events" in capsys.readouterr().err


def test_generator_works_when_the_file_is_named_like_a_schema(tmp_path):
    for name in ("raw", "truth"):
        db = tmp_path / f"{name}.duckdb"
        generate(GenerationConfig(db_path=db, events=500, seed=1))
        # Inside truth.duckdb the schema needs its catalog spelled out; the generator does that.
        assert query(db, f'select count(*) > 0 from "{name}".truth.persons') == [(True,)]
