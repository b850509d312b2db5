"""SQL for the governance inputs: consent on events, a CMP export, and privacy requests.

Each person has a consent stance per category (share below), and some change their mind once at
a person-specific moment, so "latest statement wins" matters. About one event in ten carries no
consent (banner not answered yet). A quarter of email owners also appear in a CMP export, which
may contradict their events. A few people ask to be suppressed, unsuppressed or deleted, by
email (any formatting) or by user id.
"""

# Share of people who grant each category at first; 15% of people flip once.
CONSENT_SHARES = {
    "email_marketing": 0.6,
    "sms_marketing": 0.35,
    "advertising": 0.5,
    "personalization": 0.8,
}

CONSENT_MACROS = """
create or replace temp macro consent_granted(person, category, t) as (
    (u01(person, 'consent_' || category) < case category
        when 'email_marketing' then 0.6 when 'sms_marketing' then 0.35
        when 'advertising' then 0.5 else 0.8 end)
    <> (
        u01(person, 'consent_flips_' || category) < 0.15
        and t >= timestamp '$start_at'
            + to_seconds(cast(u01(person, 'consent_flip_at_' || category) * $window_seconds as bigint))
    )
);
"""


def consent_columns() -> str:
    """Segment Consent context columns for an event row `e` (NULL: the event states nothing)."""
    return "".join(
        f"""
    case when u01(e.message_id, 'consent_missing') >= 0.1 then
        case when consent_granted(e.person_id, '{category}', e.occurred_at) then 'true' else 'false' end
    end as context_consent_category_preferences_{category},"""
        for category in CONSENT_SHARES
    )


CONSENT_RECORDS = """
select
    'cmp_' || p.person_id as record_id,
    'email' as id_type,
    email_variant(p.email, 'cmp' || p.person_id) as id_value,
    'email_marketing' as category,
    case when u01(p.person_id, 'cmp_granted') < 0.5 then 'yes' else 'no' end as granted,
    strftime(
        timestamp '$start_at' + to_seconds(cast(u01(p.person_id, 'cmp_at') * $window_seconds as bigint)),
        '%Y-%m-%dT%H:%M:%SZ'
    ) as recorded_at
from gen_persons as p
where p.email is not null and u01(p.person_id, 'cmp') < 0.25
union all
select * from (values
    ('cmp_bad_category', 'email', 'someone@gmail.com', 'telepathy', 'yes', '2026-09-02T00:00:00Z'),
    ('cmp_bad_flag', 'email', 'someone@gmail.com', 'email_marketing', 'maybe', '2026-09-02T00:00:00Z')
) as planted (record_id, id_type, id_value, category, granted, recorded_at)
"""

# Request kinds per person: 1% suppress (by email), 1% delete by email, 0.5% delete by user id,
# 0.5% suppress then unsuppress a day later (restored).
PRIVACY_REQUESTS = """
with people as (
    select
        p.*,
        u01(p.person_id, 'privacy') as draw,
        timestamp '$start_at'
            + to_seconds(cast(u01(p.person_id, 'privacy_at') * $window_seconds as bigint)) as asked_at
    from gen_persons as p
    where p.email is not null
)
select 'suppress_' || person_id as request_id, 'email' as id_type,
    email_variant(email, 'req' || person_id) as id_value, 'suppress' as request_type, asked_at as requested_at
from people where draw < 0.01
union all
select 'delete_' || person_id, 'email', email_variant(email, 'req' || person_id), 'delete', asked_at
from people where draw >= 0.01 and draw < 0.02
union all
select 'delete_' || person_id, 'user_id', user_id, 'delete', asked_at
from people where draw >= 0.02 and draw < 0.025 and user_id is not null
union all
select 'suppress_' || person_id, 'email', email, 'suppress', asked_at
from people where draw >= 0.025 and draw < 0.03
union all
select 'unsuppress_' || person_id, 'email', upper(email), 'UNSUPPRESS', asked_at + interval 1 day
from people where draw >= 0.025 and draw < 0.03
"""

PRIVACY_REQUEST_TABLE = f"""
select
    request_id,
    id_type,
    id_value,
    request_type,
    strftime(requested_at, '%Y-%m-%dT%H:%M:%SZ') as requested_at
from ({PRIVACY_REQUESTS})
union all
select * from (values
    ('bad_type', 'email', 'someone@gmail.com', 'forget-me-maybe', '2026-09-02T00:00:00Z'),
    ('bad_identifier', 'email', '', 'delete', '2026-09-02T00:00:00Z')
) as planted (request_id, id_type, id_value, request_type, requested_at)
"""

# The bad rows planted above: (table, row id, defect, the rejection reason staging must give).
GOVERNANCE_DEFECTS = [
    ("consent_records", "cmp_bad_category", "unknown_category", "unknown_consent_category"),
    ("consent_records", "cmp_bad_flag", "unreadable_flag", "unparseable_consent_flag"),
    ("privacy_requests", "bad_type", "unknown_type", "unknown_request_type"),
    ("privacy_requests", "bad_identifier", "empty_identifier", "missing_identifier"),
]
PLANTED_VALUES = ",\n    ".join(
    "(" + ", ".join(f"'{value}'" for value in row) + ")" for row in GOVERNANCE_DEFECTS
)

# Ground truth: who asked for what (the planted bad rows belong to nobody).
TRUTH = f"""
create table $truth.privacy_requests as
select requests.*, cast(split_part(request_id, '_', 2) as bigint) as person_id
from ({PRIVACY_REQUESTS}) as requests;

create table $truth.deleted_persons as
select distinct person_id from $truth.privacy_requests where request_type = 'delete';

create table $truth.consent_records as
select cast(substr(record_id, 5) as bigint) as person_id, category,
    lower(granted) = 'yes' as granted, cast(recorded_at as timestamp) as recorded_at
from $raw.consent_records
where record_id like 'cmp\\_%' escape '\\' and record_id not like 'cmp\\_bad%' escape '\\';

insert into $truth.planted_rejects values
    {PLANTED_VALUES};
"""

GOVERNANCE_TABLES = {"consent_records": CONSENT_RECORDS, "privacy_requests": PRIVACY_REQUEST_TABLE}
