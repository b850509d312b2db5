"""SQL that writes the raw Segment warehouse tables from the generated events.

This is where the data gets the texture of a real pipeline: timestamps as ISO-8601 text,
emails and phones in the formats people type, about 1% at-least-once duplicates (same message
id, later received_at), and `users` as Segment's one-row-per-user upsert.
"""

from datagen.governance import consent_columns

ISO = "'%Y-%m-%dT%H:%M:%S.%gZ'"

# The same email or phone written the ways forms and SDKs write it.
VARIANT_MACROS = """
create or replace temp macro email_variant(e, k) as (
    case pick(k, 'email_format', 5)
        when 2 then upper(e)
        when 3 then '  ' || upper(substr(e, 1, 1)) || substr(e, 2) || ' '
        when 4 then split_part(e, '@', 1) || '@' || upper(split_part(e, '@', 2))
        else e
    end
);
create or replace temp macro phone_variant(ph, k) as (
    case
        when ph is null or ph not like '+%' then ph
        when ph like '+1%' then
            case pick(k, 'phone_format', 6)
                when 1 then '(' || substr(ph, 3, 3) || ') ' || substr(ph, 6, 3) || '-' || substr(ph, 9)
                when 2 then substr(ph, 3, 3) || '.' || substr(ph, 6, 3) || '.' || substr(ph, 9)
                when 3 then '1-' || substr(ph, 3, 3) || '-' || substr(ph, 6, 3) || '-' || substr(ph, 9)
                when 4 then substr(ph, 3)
                when 5 then '+1 ' || substr(ph, 3, 3) || ' ' || substr(ph, 6, 3) || ' ' || substr(ph, 9)
                else ph
            end
        else
            case pick(k, 'phone_format', 3)
                when 1 then '00' || substr(ph, 2)
                when 2 then substr(ph, 1, 3) || ' ' || substr(ph, 4, 4) || ' ' || substr(ph, 8)
                else ph
            end
    end
);
"""

COMMON_COLUMNS = f"""
    e.message_id as id,
    e.anonymous_id,
    e.user_id_raw as user_id,
    strftime(e.occurred_at, {ISO}) as "timestamp",
    strftime(
        e.received_at + to_seconds(c.copy_no * (1 + pick(e.message_id, 'dup_lag', 600))), {ISO}
    ) as received_at,
    strftime(e.sent_at, {ISO}) as sent_at,
"""

CONTEXT_COLUMNS = """
    e.device_id as context_device_id,
    '10.' || pick(e.person_id, 'ip1', 256) || '.' || pick(e.person_id, 'ip2', 256) || '.'
        || pick(e.session_id, 'ip3', 256) as context_ip,
    case when e.platform = 'web' then 'Mozilla/5.0 (Upstream demo)' end as context_user_agent,
    case when e.platform = 'web' then 'https://shop.upstream.dev/checkout' end as context_page_url,
    email_variant(e.email, e.message_id) as context_traits_email,
    phone_variant(e.phone, e.message_id) as context_traits_phone,
""" + consent_columns()


def copies(where: str, draw: str = "dup") -> str:
    """FROM clause giving each selected event one copy, plus a second one for about 1% of them."""
    return f"""
from gen_events as e
cross join range(2) as c (copy_no)
where ({where}) and (c.copy_no = 0 or u01(e.message_id, '{draw}') < 0.01)
"""


TRACK_KINDS = "('product_viewed', 'product_added', 'cart_viewed', 'checkout_started', 'order_completed')"

EVENT_TEXT = """
    case e.kind
        when 'product_viewed' then 'Product Viewed'
        when 'product_added' then 'Product Added'
        when 'cart_viewed' then 'Cart Viewed'
        when 'checkout_started' then 'Checkout Started'
        else 'Order Completed'
    end
"""

PRODUCTS_JSON = """
    cast(to_json([{
        'product_id': e.product_id, 'sku': e.sku, 'name': e.product_name,
        'price': e.price, 'quantity': e.quantity
    }]) as varchar)
"""

PAGE_NAMES = "['Home', 'Category', 'Search', 'Product', 'Cart']"

TABLES: dict[str, str] = {
    "identifies": f"""
select
    {COMMON_COLUMNS}
    {CONTEXT_COLUMNS}
    email_variant(e.email, e.message_id || 'trait') as email,
    phone_variant(e.phone, e.message_id || 'trait') as phone,
    e.first_name,
    e.last_name
{copies("e.source_table = 'identifies'")}
""",
    "tracks": f"""
select
    {COMMON_COLUMNS}
    {CONTEXT_COLUMNS}
    e.kind as "event",
    {EVENT_TEXT} as event_text
{copies("e.kind in " + TRACK_KINDS, draw="dup_tracks")}
""",
    "pages": f"""
select
    {COMMON_COLUMNS}
    {PAGE_NAMES}[1 + e.step_no % 5] as "name",
    '/' || lower({PAGE_NAMES}[1 + e.step_no % 5]) as "path",
    'https://shop.upstream.dev/' || lower({PAGE_NAMES}[1 + e.step_no % 5]) as url,
    case when e.step_no = 1 then 'https://www.google.com/' end as referrer,
    {PAGE_NAMES}[1 + e.step_no % 5] || ' | Upstream Shop' as title,
    '10.0.' || pick(e.session_id, 'ip3', 256) || '.1' as context_ip,
    'Mozilla/5.0 (Upstream demo)' as context_user_agent
{copies("e.source_table = 'pages'")}
""",
    "screens": f"""
select
    {COMMON_COLUMNS}
    {PAGE_NAMES}[1 + e.step_no % 5] || ' Screen' as "name",
    e.device_id as context_device_id,
    e.platform as context_device_type,
    '10.0.' || pick(e.session_id, 'ip3', 256) || '.2' as context_ip
{copies("e.source_table = 'screens'")}
""",
    "cart_viewed": f"""
select
    {COMMON_COLUMNS}
    e.kind as "event",
    e.device_id as context_device_id,
    e.cart_id,
    {PRODUCTS_JSON} as products
{copies("e.source_table = 'cart_viewed'")}
""",
}

for _product_table in ("product_viewed", "product_added"):
    TABLES[_product_table] = f"""
select
    {COMMON_COLUMNS}
    e.kind as "event",
    e.device_id as context_device_id,
    case when e.platform = 'web' then 'https://shop.upstream.dev/p/' || e.product_id end
        as context_page_url,
    e.product_id,
    e.sku,
    e.category,
    e.product_name as "name",
    e.price,
    e.quantity,
    'USD' as currency,
    e.cart_id
{copies(f"e.source_table = '{_product_table}'")}
"""

for _order_table in ("checkout_started", "order_completed"):
    TABLES[_order_table] = f"""
select
    {COMMON_COLUMNS}
    {CONTEXT_COLUMNS}
    e.kind as "event",
    e.order_id,
    e.checkout_id,
    e.revenue,
    round(e.revenue + e.shipping + e.tax, 2) as total,
    e.shipping,
    e.tax,
    0.0 as discount,
    cast(null as varchar) as coupon,
    'USD' as currency,
    {PRODUCTS_JSON} as products
{copies(f"e.source_table = '{_order_table}'")}
"""

# Segment keeps one row per user id with the traits of the latest identify.
TABLES["users"] = f"""
select
    e.user_id as id,
    strftime(max(e.received_at), {ISO}) as received_at,
    arg_max(email_variant(e.email, e.message_id), e.received_at) as email,
    arg_max(phone_variant(e.phone, e.message_id), e.received_at) as phone,
    arg_max(e.first_name, e.received_at) as first_name,
    arg_max(e.last_name, e.received_at) as last_name
from gen_events as e
where e.kind = 'identify_login' and e.user_id is not null
group by e.user_id
"""
