"""SQL that builds the simulated population: persons, their devices and their sessions.

Every random draw is `hash(seed, entity, draw)`, so the same seed gives the same data on any
machine and any thread count, and nothing is generated row by row in Python.
"""

from datagen.reference_data import (
    CATEGORIES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCT_COUNT,
    sql_list,
)

# u01(k1, k2): uniform draw in [0, 1) for entity k1, draw k2. pick(k1, k2, n): integer in [0, n).
MACROS = """
create or replace temp macro u01(k1, k2) as ((hash($seed, k1, k2) % 1000003) / 1000003.0);
create or replace temp macro pick(k1, k2, n) as (cast(hash($seed, k1, k2) % n as bigint));
create or replace temp macro uuid_like(k) as (
    substr(md5(k), 1, 8) || '-' || substr(md5(k), 9, 4) || '-' || substr(md5(k), 13, 4)
    || '-' || substr(md5(k), 17, 4) || '-' || substr(md5(k), 21, 12)
);
"""

PRODUCTS = f"""
create or replace temp table gen_products as
select
    n as product_no,
    'p_' || lpad(cast(n as varchar), 4, '0') as product_id,
    'SKU-' || lpad(cast(n * 7 as varchar), 5, '0') as sku,
    {sql_list(CATEGORIES)}[1 + pick(n, 'category', {len(CATEGORIES)})] as category,
    'Product ' || n as product_name,
    round(5 + u01(n, 'price') * 195, 2) as price
from range({PRODUCT_COUNT}) as t (n);
"""

# About three in four people have an account (user id); the rest only ever check out as guests.
# Phones: most are North American, some international (UK, Germany, France mobiles).
PERSONS = f"""
create or replace temp table gen_persons as
with drawn as (
    select
        p as person_id,
        {sql_list(FIRST_NAMES)}[1 + pick(p, 'first', {len(FIRST_NAMES)})] as first_name,
        {sql_list(LAST_NAMES)}[1 + pick(p, 'last', {len(LAST_NAMES)})] as last_name,
        {sql_list(EMAIL_DOMAINS)}[1 + pick(p, 'domain', {len(EMAIL_DOMAINS)})] as email_domain,
        u01(p, 'account') < 0.75 as has_account,
        u01(p, 'phone') < 0.8 as has_phone,
        u01(p, 'intl') < 0.15 as is_international,
        1 + pick(p, 'devices', 3) as device_count,
        -- Phone numbers come from a bijective scramble of the person id, so no two people
        -- share one by accident (a shared number would be a real link the truth denies).
        (p * 7919) % 6400000000 as nanp_code,
        pick(p, 'country', 3) as country_no,
        (p * 7919) % 100000000 as subscriber
    from range(1, $persons + 1) as t (p)
)
select
    person_id,
    first_name,
    last_name,
    has_account,
    device_count,
    case when has_account then 'u_' || lpad(cast(person_id as varchar), 9, '0') end as user_id,
    lower(first_name) || '.' || lower(last_name) || person_id || '@' || email_domain as email,
    case
        when not has_phone then null
        when not is_international then
            '+1' || (200 + nanp_code % 800)
            || (200 + (nanp_code // 800) % 800)
            || lpad(cast(nanp_code // 640000 as varchar), 4, '0')
        when country_no = 0 then '+447' || lpad(cast(subscriber * 10 + 1 as varchar), 9, '0')
        when country_no = 1 then '+49151' || lpad(cast(subscriber as varchar), 8, '0')
        else '+336' || lpad(cast(subscriber as varchar), 8, '0')
    end as phone
from drawn;
"""

# The first device is the web browser most of the time; app installs carry a device id too.
DEVICES = """
create or replace temp table gen_devices as
select
    p.person_id,
    d.device_no,
    p.person_id * 4 + d.device_no as device_key,
    case
        when d.device_no = 1 and u01(p.person_id, 'web1') < 0.7 then 'web'
        when u01(p.person_id * 4 + d.device_no, 'platform') < 0.4 then 'web'
        when u01(p.person_id * 4 + d.device_no, 'os') < 0.5 then 'ios'
        else 'android'
    end as platform,
    uuid_like('anon:' || $seed || ':' || p.person_id || ':' || d.device_no) as anonymous_id,
    1 + pick(p.person_id * 4 + d.device_no, 'sessions', 5) as session_count
from gen_persons as p
cross join range(1, 4) as d (device_no)
where d.device_no <= p.device_count;
"""

# Funnel stage per session: 0 browse, 1 viewed, 2 added to cart, 3 checkout abandoned, 4 ordered.
# Checkout 21% of sessions, order 14%: a third of checkouts are abandoned.
# An account holder logs in on each device at one of its sessions; later sessions carry user_id.
SESSIONS = """
create or replace temp table gen_sessions as
with raw_sessions as (
    select
        dv.person_id,
        dv.device_key,
        dv.platform,
        dv.anonymous_id,
        case
            when dv.platform <> 'web'
                then upper(uuid_like('device:' || $seed || ':' || dv.device_key))
        end as device_id,
        dv.device_key * 8 + s.session_no as session_id,
        timestamp '$start_at'
            + to_seconds(pick(dv.device_key * 8 + s.session_no, 'start', $window_seconds))
            as session_start_at,
        dv.session_count
    from gen_devices as dv
    cross join range(1, 6) as s (session_no)
    where s.session_no <= dv.session_count
),

ranked as (
    select
        *,
        row_number() over (partition by device_key order by session_start_at, session_id)
            as session_rank,
        1 + pick(device_key, 'login', session_count) as login_rank
    from raw_sessions
)

select
    r.session_id,
    r.person_id,
    r.device_key,
    r.platform,
    r.anonymous_id,
    r.device_id,
    r.session_start_at,
    p.has_account,
    p.has_account and r.session_rank = r.login_rank as is_login_session,
    p.has_account and r.session_rank >= r.login_rank as is_logged_in,
    case
        when u01(r.session_id, 'stage') < 0.14 then 4
        when u01(r.session_id, 'stage') < 0.21 then 3
        when u01(r.session_id, 'stage') < 0.35 then 2
        when u01(r.session_id, 'stage') < 0.65 then 1
        else 0
    end as funnel_stage,
    1 + pick(r.session_id, 'views', 4) as view_count,
    1 + pick(r.session_id, 'product_views', 2) as product_view_count,
    pick(r.session_id, 'product', $product_count) as product_no,
    1 + pick(r.session_id, 'quantity', 2) as quantity
from ranked as r
inner join gen_persons as p on r.person_id = p.person_id;
"""

STEPS = [MACROS, PRODUCTS, PERSONS, DEVICES, SESSIONS]
