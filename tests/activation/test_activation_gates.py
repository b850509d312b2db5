"""Governance properties over generated data (consent on events, a CMP export and privacy
requests from the generator): no suppressed, deleted or non-consented person reaches any sync_*
model, checked against the raw inputs and the generator's truth rather than our own models."""

from pathlib import Path

import pytest
import yaml

from datagen.generate import GenerationConfig, generate
from tests.support.warehouse import PROJECT_ROOT, build_as_of, query

AS_OF = "2026-10-31 00:00:00"
EVENT_TABLES = [
    "identifies",
    "tracks",
    "pages",
    "screens",
    "product_viewed",
    "product_added",
    "cart_viewed",
    "checkout_started",
    "order_completed",
]
PLANTED_REJECTS = "(select message_id from truth.planted_rejects where message_id is not null)"
GMAIL_WITHOUT_DOTS = "replace(split_part(p.email, '@', 1), '.', '') || '@' || split_part(p.email, '@', 2)"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("governance_properties") / "upstream.duckdb"
    generate(GenerationConfig(db_path=db, events=80_000, seed=13))
    build_as_of(db, AS_OF)
    return db


def _sync_models(db: Path) -> list[str]:
    rows = query(
        db, "select table_name from information_schema.tables where table_name like 'sync\\_%' escape '\\'"
    )
    return sorted(row[0] for row in rows)


def _destination_consent() -> dict[str, list[str]]:
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    return {name: spec.get("consent", []) for name, spec in project["vars"]["upstream__destinations"].items()}


def _sync_profiles(db: Path) -> str:
    return " union ".join(f"select profile_id from {model}" for model in _sync_models(db))


def test_the_generated_data_exercises_every_rule(warehouse: Path) -> None:
    outcomes = {row[0] for row in query(warehouse, "select distinct outcome from activation_filter_report")}
    assert {"kept", "suppressed", "holdout"} <= outcomes
    assert any(outcome.startswith("no_consent:") for outcome in outcomes)
    assert query(warehouse, "select count(*) from privacy_forgotten_identifiers")[0][0] > 0


def test_no_suppressed_person_reaches_a_channel(warehouse: Path) -> None:
    (suppressed, leaked) = query(
        warehouse,
        f"""
        with latest as (
            select person_id, request_type,
                row_number() over (partition by person_id order by requested_at desc) as r
            from truth.privacy_requests where request_type in ('suppress', 'UNSUPPRESS')
        ),
        suppressed as (
            select distinct g.profile_id
            from latest join truth.persons as p using (person_id)
            join id_graph as g on g.id_type = 'email' and g.id_value = p.email
            where latest.r = 1 and latest.request_type = 'suppress'
        )
        select (select count(*) from suppressed),
            (select count(*) from suppressed where profile_id in ({_sync_profiles(warehouse)}))
        """,
    )[0]
    assert suppressed > 0 and leaked == 0


def test_unsuppressed_people_are_not_blocked_as_suppressed(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select distinct e.blocked_reason
        from truth.privacy_requests as r join truth.persons as p using (person_id)
        join id_graph as g on g.id_type = 'email' and g.id_value = p.email
        join activation_eligibility as e using (profile_id)
        where r.request_type = 'UNSUPPRESS'
        """,
    )
    assert rows and ("suppressed",) not in rows


def test_no_deleted_person_is_left_anywhere(warehouse: Path) -> None:
    deleted = """
        select p.* from truth.persons as p
        where person_id in (select person_id from truth.privacy_requests where request_type = 'delete')
    """
    (people,) = query(warehouse, f"select count(*) from ({deleted})")[0]
    assert people > 0
    (in_graph,) = query(
        warehouse,
        f"""select count(*) from id_graph as g join ({deleted}) as p
            on (g.id_type = 'email' and g.id_value = p.email)
            or (g.id_type = 'user_id' and g.id_value = p.user_id)
            or (g.id_type = 'phone' and g.id_value = p.phone)""",
    )[0]
    assert in_graph == 0
    for model in _sync_models(warehouse):
        columns = {
            row[0]
            for row in query(
                warehouse, f"select column_name from information_schema.columns where table_name = '{model}'"
            )
        }
        checks = []
        if "email" in columns:
            checks.append("s.email = p.email")
        if "phone" in columns:
            checks.append("s.phone = p.phone")
        if "email_sha256" in columns:
            # Meta hashes the email as stored; Google also drops gmail dots (both checked).
            checks.append(f"s.email_sha256 in (sha256(p.email), sha256({GMAIL_WITHOUT_DOTS}))")
        if "phone_sha256" in columns:
            checks.append("s.phone_sha256 in (sha256(p.phone), sha256(substr(p.phone, 2)))")
        assert checks, model
        (leaked,) = query(
            warehouse, f"select count(*) from {model} as s join ({deleted}) as p on {' or '.join(checks)}"
        )[0]
        assert leaked == 0, model


def test_every_synced_profile_consented_according_to_the_raw_statements(warehouse: Path) -> None:
    """Latest statement per profile and category from the raw tables, recomputed here."""
    event_statements = []
    for table in EVENT_TABLES:
        columns = {
            row[0]
            for row in query(
                warehouse,
                "select column_name from information_schema.columns "
                f"where table_schema = 'raw' and table_name = '{table}'",
            )
        }
        for column in sorted(c for c in columns if c.startswith("context_consent_category_preferences_")):
            category = column.removeprefix("context_consent_category_preferences_")
            event_statements.append(
                f"select a.profile_id, '{category}' as category, r.{column} = 'true' as granted, "
                f"try_cast(r.timestamp as timestamp) as stated_at "
                f"from raw.{table} as r join int_messages_attributed as a on a.message_id = r.id "
                f"where r.{column} is not null and r.id not in {PLANTED_REJECTS}"
            )
    statements = (
        " union all ".join(event_statements)
        + """
        union all
        select g.profile_id, c.category, lower(c.granted) in ('yes', 'true') as granted,
            cast(c.recorded_at as timestamp) as stated_at
        from raw.consent_records as c
        join id_graph as g on g.id_type = c.id_type and g.id_value = lower(trim(c.id_value))
    """
    )
    latest = f"""
        select profile_id, category, granted from (
            select *, row_number() over (
                partition by profile_id, category order by stated_at desc, granted asc) as r
            from ({statements}) where stated_at <= cast('{AS_OF}' as timestamp)
        ) where r = 1 and granted
    """
    consent = _destination_consent()
    checked = 0
    for model in _sync_models(warehouse):
        destination = model.removeprefix("sync_").split("__")[0]
        for category in consent[destination]:
            (rows, missing) = query(
                warehouse,
                f"""select count(*), count(*) filter (where g.profile_id is null)
                    from {model} as s left join ({latest}) as g
                    on g.profile_id = s.profile_id and g.category = '{category}'""",
            )[0]
            assert missing == 0, f"{model}: {missing} of {rows} rows lack {category}"
            checked += rows
    assert checked > 0


def test_every_candidate_is_accounted_for(warehouse: Path) -> None:
    """Kept plus blocked (per reason) is every member of the segment; kept is what the model holds."""
    for model, segment in [
        ("sync_webhook__high_value_recent", "high_value_recent"),
        ("sync_email__new_visitors_7d", "new_visitors_7d"),
        ("sync_webhook__cart_abandoned_24h", "cart_abandoned_24h"),
    ]:
        (reported, kept) = query(
            warehouse,
            "select sum(profiles), sum(case when outcome = 'kept' then profiles else 0 end) "
            "from activation_filter_report where model_name = ?",
            [model],
        )[0]
        (members,) = query(warehouse, f"select count(*) from {segment}")[0]
        (rows,) = query(warehouse, f"select count(*) from {model}")[0]
        assert members > 0 and reported == members and kept == rows, model
