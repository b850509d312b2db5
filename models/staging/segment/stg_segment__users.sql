with

base as (
    select * from {{ ref('base_segment__users') }}
),

staged as (
    select
        user_id,
        email,
        phone,
        first_name,
        last_name,
        received_at as updated_at
    from base
    {# Rejected rows live in rejected_events; later copies of a message are at-least-once repeats. #}
    where
        rejection_reason is null
        and copy_number = 1
)

select * from staged
