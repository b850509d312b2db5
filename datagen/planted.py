"""Malformed rows planted on purpose, one kind per quarantine reason staging must catch.

Each planted row is a copy of a real raw row with one defect; its expected reason is written to
the truth schema so tests can check that `rejected_events` caught every one of them.
"""

from dataclasses import dataclass

from datagen.raw_tables import ISO

ROWS_PER_KIND = 2

IDENTIFIER_COLUMNS = (
    "anonymous_id",
    "user_id",
    "context_device_id",
    "context_traits_email",
    "context_traits_phone",
    "email",
    "phone",
)


@dataclass(frozen=True)
class Defect:
    """One kind of malformed row: which reason it must get and which columns it overrides."""

    name: str
    expected_reason: str
    overrides: dict[str, str]
    tables: tuple[str, ...]


EVENT_TABLES = ("identifies", "tracks", "pages", "order_completed")

DEFECTS = (
    Defect("missing_message_id", "missing_message_id", {"id": "null"}, EVENT_TABLES),
    Defect(
        "no_identifier",
        "no_identifier",
        {column: "null" for column in IDENTIFIER_COLUMNS},
        EVENT_TABLES,
    ),
    Defect("null_timestamp", "missing_timestamp", {"timestamp": "null"}, EVENT_TABLES),
    Defect(
        "garbled_timestamp",
        "unparseable_timestamp",
        {"timestamp": "'2026-13-45T25:61:00Z'"},
        EVENT_TABLES,
    ),
    Defect(
        "epoch_timestamp",
        "timestamp_out_of_range",
        {"timestamp": "'1970-01-01T00:00:00.000Z'"},
        EVENT_TABLES,
    ),
    Defect(
        "future_timestamp",
        "timestamp_out_of_range",
        {"timestamp": f"strftime(cast(received_at as timestamptz) + interval 3 day, {ISO})"},
        EVENT_TABLES,
    ),
    Defect(
        "overlong_anonymous_id",
        "value_too_long",
        {"anonymous_id": "repeat('a', 300)"},
        EVENT_TABLES,
    ),
    Defect(
        "truncated_products_json",
        "malformed_products_json",
        {"products": """'[{"product_id": "p_0001", "price": '"""},
        ("order_completed", "cart_viewed"),
    ),
    Defect(
        "oversized_products_json",
        "value_too_long",
        {"products": """'[' || repeat('{"product_id": "p_0001"}, ', 3000) || '{}]'"""},
        ("order_completed",),
    ),
)


def plant_statements(raw_schema: str, truth_schema: str, columns: dict[str, list[str]]) -> list[str]:
    """SQL inserting every defect into its tables and recording it in truth.planted_rejects.

    `columns` maps each raw table to its column names, so overrides only touch columns it has.
    """
    statements = []
    for defect in DEFECTS:
        for table in defect.tables:
            present = columns[table]
            overrides = {c: expr for c, expr in defect.overrides.items() if c in present}
            message_id = (
                "null" if defect.name == "missing_message_id" else f"'bad-{defect.name}-{table}-' || n"
            )
            replace = ", ".join(
                f'{expr} as "{column}"' for column, expr in overrides.items() if column != "id"
            )
            replace_clause = f"replace ({replace})" if replace else ""
            statements.append(
                f"""
                create or replace temp table planted as
                select
                    * exclude (n) {replace_clause},
                    n
                from (
                    select *, row_number() over (order by id) as n
                    from (select * from {raw_schema}.{table} order by id limit {ROWS_PER_KIND})
                );
                update planted set id = {message_id};
                insert into {truth_schema}.planted_rejects
                select '{table}', id, '{defect.name}', '{defect.expected_reason}' from planted;
                insert into {raw_schema}.{table} by name select * exclude (n) from planted;
                """
            )
    return statements
