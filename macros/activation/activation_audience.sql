{#-
    Activation models are named sync_<destination>__<audience>; the destination comes from the
    name. A destination can only hold members it can reach: email needs an email address, sms a
    phone, ads either (issue 6 adds consent and suppression here).
-#}
{% macro activation_destination(expected_audience) -%}
    {%- set parts = model.name.split('__', 1) -%}
    {%- if parts | length != 2 or not parts[0].startswith('sync_') or parts[1] != expected_audience -%}
        {{ exceptions.raise_compiler_error(
            'activation model ' ~ model.name ~ ' must be named sync_<destination>__' ~ expected_audience
        ) }}
    {%- endif -%}
    {{- return(parts[0][5:]) -}}
{%- endmacro %}

{% macro reachable_condition(destination, relation) -%}
    {%- if destination == 'email' -%}
        {{ relation }}.email is not null
    {%- elif destination == 'sms' -%}
        {{ relation }}.phone is not null
    {%- elif destination == 'ads' -%}
        ({{ relation }}.email is not null or {{ relation }}.phone is not null)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
    One row per member of a segment the destination should hold: members outside the holdout,
    keyed by profile_id, with contact fields, their split, and the segment's payload columns.
-#}
{% macro segment_activation(segment_name, payload=[]) -%}
    {%- set destination = upstream.activation_destination(segment_name) -%}
with

members as (
    select * from {{ ref(segment_name) }}
    where not is_holdout
),

profiles as (
    select * from {{ ref('profiles') }}
),

audience as (
    select
        members.profile_id as sync_key,
        members.profile_id,
        members.split_name,
        members.entered_at,
        profiles.email,
        profiles.phone,
        profiles.first_name,
        profiles.lifecycle_stage
        {%- for column in payload %},
        members.{{ column }}
        {%- endfor %}
    from members
    inner join profiles on members.profile_id = profiles.profile_id
    where {{ upstream.reachable_condition(destination, 'profiles') }}
)

select * from audience
{%- endmacro %}

{#-
    One row per due journey step the destination should receive (cart_abandonment_due_steps):
    keyed by step_key for messages (each step is one message, sent once), by profile_id for the
    ad audience (a profile is in it or not).
-#}
{% macro journey_step_activation(journey_name, step_number) -%}
    {%- set destination = upstream.activation_destination(journey_name ~ '_step' ~ step_number) -%}
with

due_steps as (
    select * from {{ ref(journey_name ~ '_due_steps') }}
    where step_number = {{ step_number }}
),

audience as (
    select
        {{ 'profile_id' if destination == 'ads' else 'step_key' }} as sync_key,
        *
    from due_steps
    where {{ upstream.reachable_condition(destination, 'due_steps') }}
)

select * from audience
{%- endmacro %}
