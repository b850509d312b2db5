{#-
    Activation models are named sync_<destination>__<audience>; the destination comes from the
    name and its settings from var upstream__destinations. Each model's SQL selects every
    candidate with a `blocked_reason` (NULL = send); the `activation` materialization keeps the
    NULLs and reports the rest per reason (activation_filter_report).
-#}
{% macro activation_destination(expected_audience) -%}
    {#- In a unit test, `model` is the test; the model under test is named in tested_node_unique_id. -#}
    {%- set model_name = model.tested_node_unique_id.split('.')[-1] if model.resource_type == 'unit_test' else model.name -%}
    {%- set parts = model_name.split('__', 1) -%}
    {%- if parts | length != 2 or not parts[0].startswith('sync_') or parts[1] != expected_audience -%}
        {{ exceptions.raise_compiler_error(
            'activation model ' ~ model_name ~ ' must be named sync_<destination>__' ~ expected_audience
        ) }}
    {%- endif -%}
    {{- return(upstream.destination_settings(parts[0][5:])) -}}
{%- endmacro %}

{#-
    The contact fields a destination receives, and nothing more: plain for a channel that
    messages the person, SHA-256 only for ad platforms (see egress_hashing).
-#}
{% macro contact_columns(destination, relation) -%}
    {%- if destination.hashing != 'none' -%}
        {{ upstream.hashed_email(relation ~ '.email', destination.hashing) }} as email_sha256,
        {{ upstream.hashed_phone(relation ~ '.phone', destination.hashing) }} as phone_sha256
    {%- else -%}
        {%- if destination.contact in ['email', 'none'] %}
        {{ relation }}.email,
        {%- endif %}
        {%- if destination.contact in ['phone', 'none'] %}
        {{ relation }}.phone,
        {%- endif %}
        {{ relation }}.first_name,
        {{ relation }}.lifecycle_stage
    {%- endif -%}
{%- endmacro %}

{#-
    Every member of a segment as a candidate for the destination: keyed by profile_id, with its
    split, contact fields and the segment's payload columns. Holdout members, profiles the
    destination may not receive (activation_eligibility) and members whose profile no longer
    exists are blocked, with the reason.
-#}
{% macro segment_activation(segment_name, payload=[]) -%}
    {%- set destination = upstream.activation_destination(segment_name) -%}
with

members as (
    select * from {{ ref(segment_name) }}
),

profiles as (
    select * from {{ ref('profiles') }}
),

eligibility as (
    {{ upstream.destination_eligibility(destination) }}
),

candidates as (
    select
        members.profile_id as sync_key,
        members.profile_id,
        members.split_name,
        members.entered_at,
        {{ upstream.contact_columns(destination, 'profiles') }},
        {%- for column in payload %}
        members.{{ column }},
        {%- endfor %}
        case
            when members.is_holdout then 'holdout'
            when profiles.profile_id is null then 'profile_not_found'
            else eligibility.blocked_reason
        end as blocked_reason
    from members
    left join profiles on members.profile_id = profiles.profile_id
    left join eligibility on members.profile_id = eligibility.profile_id
)

select * from candidates
{%- endmacro %}

{#-
    Every due journey step (cart_abandonment_due_steps) as a candidate for the destination:
    keyed by step_key for messages (one message per instance and step, sent once), by profile_id
    for an ad audience (a profile is in it or not). Blocked as segment members are.
-#}
{% macro journey_step_activation(journey_name, step_number) -%}
    {%- set destination = upstream.activation_destination(journey_name ~ '_step' ~ step_number) -%}
with

due_steps as (
    select * from {{ ref(journey_name ~ '_due_steps') }}
    where step_number = {{ step_number }}
),

eligibility as (
    {{ upstream.destination_eligibility(destination) }}
),

candidates as (
    select
        {{ 'due_steps.profile_id' if destination.hashing != 'none' else 'due_steps.step_key' }} as sync_key,
        due_steps.profile_id,
        due_steps.journey_instance_id,
        due_steps.step_name,
        due_steps.due_at,
        {{ upstream.contact_columns(destination, 'due_steps') }},
        {%- if destination.hashing == 'none' %}
        due_steps.checkout_id,
        due_steps.cart_items,
        due_steps.cart_value,
        due_steps.currency,
        due_steps.extra_traits,
        {%- endif %}
        eligibility.blocked_reason
    from due_steps
    left join eligibility on due_steps.profile_id = eligibility.profile_id
)

select * from candidates
{%- endmacro %}

{#- Who this destination may receive (activation_eligibility), for the macros above. -#}
{% macro destination_eligibility(destination) -%}
    select
        profile_id,
        blocked_reason
    from {{ ref('activation_eligibility') }}
    where destination = '{{ destination.name }}'
{%- endmacro %}
