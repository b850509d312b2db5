"""SQL writing the ground truth: who is really behind every identifier, event and order.

Later tests score the identity graph, profiles and segments against these tables. Only what
the raw data actually reveals is recorded: an email a guest never typed is not an identifier.
"""

from datagen.raw_tables import TRACK_KINDS
from datagen.reference_data import (
    JUNK_ANONYMOUS_IDS,
    JUNK_EMAILS,
    JUNK_PHONES,
    PLACEHOLDER_USER_IDS,
)


def _junk_rows() -> str:
    rows = (
        [("email", value) for value in JUNK_EMAILS]
        + [("phone", value) for value in JUNK_PHONES]
        + [("anonymous_id", value) for value in JUNK_ANONYMOUS_IDS]
        + [("user_id", value) for value in PLACEHOLDER_USER_IDS]
    )
    return ",\n    ".join(f"('{kind}', '{value}')" for kind, value in rows)


TRUTH = f"""
create table $truth.persons as
select person_id, user_id, email, phone, first_name, last_name, has_account, device_count
from gen_persons;

create table $truth.identifiers as
select distinct person_id, id_type, id_value
from (
    select person_id, 'anonymous_id' as id_type, anonymous_id as id_value
    from gen_events where not is_junk_anonymous_id
    union all
    select person_id, 'user_id', user_id from gen_events where user_id is not null
    union all
    select person_id, 'device_id', device_id from gen_events where device_id is not null
    union all
    select person_id, 'email', email from gen_events where email is not null and not is_junk_email
    union all
    select person_id, 'phone', phone from gen_events where phone is not null and not is_junk_phone
);

create table $truth.events as
select source_table, message_id, person_id, occurred_at from gen_events
union all
select 'tracks', message_id, person_id, occurred_at from gen_events where kind in {TRACK_KINDS};

create table $truth.orders as
select
    order_id,
    person_id,
    message_id,
    occurred_at as ordered_at,
    revenue,
    round(revenue + shipping + tax, 2) as total,
    'USD' as currency
from gen_events
where kind = 'order_completed';

create table $truth.junk_identifiers as
select * from (values
    {_junk_rows()}
) as t (id_type, id_value);

create table $truth.planted_rejects (
    source_table varchar,
    message_id varchar,
    defect varchar,
    expected_reason varchar
);
"""
