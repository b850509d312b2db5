"""SQL that turns sessions into events: one row per call, with the identifiers it carries.

Each session walks a fixed template of steps (page or screen views, identify, product views,
cart, checkout, order); its funnel stage decides how far it gets. Identifier values are the
canonical ones here; formatting variants and junk are applied when the raw tables are written.
"""

from datagen.reference_data import (
    JUNK_ANONYMOUS_IDS,
    JUNK_EMAILS,
    JUNK_PHONES,
    PLACEHOLDER_USER_IDS,
    sql_list,
)

STEP_TEMPLATE = """
create or replace temp table gen_step_template as
select * from (values
    (1, 'view', 0, 0),
    (2, 'view', 1, 0),
    (3, 'view', 2, 0),
    (4, 'view', 3, 0),
    (5, 'identify_login', 0, 0),
    (6, 'product_viewed', 0, 1),
    (7, 'product_viewed', 1, 1),
    (8, 'product_added', 0, 2),
    (9, 'cart_viewed', 0, 2),
    (10, 'identify_guest', 0, 3),
    (11, 'checkout_started', 0, 3),
    (12, 'order_completed', 0, 4)
) as t (step_no, kind, step_index, min_stage);
"""

# Junk rates are small but non-zero so every defence has something to catch:
# a shared test email on guest checkouts, all-zero phones, the all-zero anonymous id.
EVENTS = f"""
create or replace temp table gen_events as
with stepped as (
    select
        s.*,
        t.step_no,
        t.kind,
        uuid_like('msg:' || $seed || ':' || s.session_id || ':' || t.step_no) as message_id
    from gen_sessions as s
    inner join gen_step_template as t
        on s.funnel_stage >= t.min_stage
        and (t.kind <> 'view' or t.step_index < s.view_count)
        and (t.kind <> 'product_viewed' or t.step_index < s.product_view_count)
        and (t.kind <> 'identify_login' or s.is_login_session)
        and (t.kind <> 'identify_guest' or not s.has_account)
),

timed as (
    select
        st.*,
        st.session_start_at
            + to_seconds(st.step_no * 45 + pick(st.message_id, 'jitter', 30)) as occurred_at,
        st.kind in ('identify_login', 'identify_guest', 'checkout_started', 'order_completed')
            as carries_email,
        st.kind = 'identify_login' and u01(st.message_id, 'phone_on') < 0.7
            or st.kind in ('checkout_started', 'order_completed')
            and u01(st.message_id, 'phone_on') < 0.4 as carries_phone
    from stepped as st
)

select
    e.message_id,
    e.session_id,
    e.person_id,
    e.step_no,
    e.kind,
    case
        when e.kind = 'view' and e.platform = 'web' then 'pages'
        when e.kind = 'view' then 'screens'
        when e.kind like 'identify%' then 'identifies'
        else e.kind
    end as source_table,
    e.platform,
    e.occurred_at,
    e.occurred_at + to_milliseconds(200 + pick(e.message_id, 'lag', 5000)) as received_at,
    e.occurred_at + to_milliseconds(50) as sent_at,
    case
        when u01(e.message_id, 'junk_anon') < 0.0005 then {sql_list(JUNK_ANONYMOUS_IDS)}[1]
        else e.anonymous_id
    end as anonymous_id,
    u01(e.message_id, 'junk_anon') < 0.0005 as is_junk_anonymous_id,
    case
        when e.kind = 'identify_guest' and u01(e.message_id, 'placeholder') < 0.1
            then {sql_list(PLACEHOLDER_USER_IDS)}[
                1 + pick(e.message_id, 'placeholder_no', {len(PLACEHOLDER_USER_IDS)})
            ]
        when e.is_logged_in or e.kind = 'identify_login' then p.user_id
    end as user_id_raw,
    case when e.is_logged_in or e.kind = 'identify_login' then p.user_id end as user_id,
    e.device_id,
    case
        when not e.carries_email then null
        when not p.has_account and u01(e.message_id, 'junk_email') < 0.005
            then {sql_list(JUNK_EMAILS)}[1 + pick(e.message_id, 'junk_email_no', {len(JUNK_EMAILS)})]
        else p.email
    end as email,
    e.carries_email and not p.has_account and u01(e.message_id, 'junk_email') < 0.005
        as is_junk_email,
    case
        when not e.carries_phone or p.phone is null then null
        when u01(e.message_id, 'junk_phone') < 0.003
            then {sql_list(JUNK_PHONES)}[1 + pick(e.message_id, 'junk_phone_no', {len(JUNK_PHONES)})]
        else p.phone
    end as phone,
    e.carries_phone and p.phone is not null and u01(e.message_id, 'junk_phone') < 0.003
        as is_junk_phone,
    p.first_name,
    p.last_name,
    pr.product_id,
    pr.sku,
    pr.category,
    pr.product_name,
    pr.price,
    e.quantity,
    'cart_' || e.session_id as cart_id,
    'order_' || e.session_id as order_id,
    'checkout_' || e.session_id as checkout_id,
    round(pr.price * e.quantity, 2) as revenue,
    case when pick(e.session_id, 'shipping', 3) = 0 then 0 else 4.99 end as shipping,
    round(pr.price * e.quantity * 0.08, 2) as tax
from timed as e
inner join gen_persons as p on e.person_id = p.person_id
inner join gen_products as pr on e.product_no = pr.product_no;
"""

STEPS = [STEP_TEMPLATE, EVENTS]
