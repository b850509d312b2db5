{#-
    Where identifiers are mentioned: every staged Segment model with the identifier columns it
    carries, followed by the user-declared sources of var upstream__identity_extra_sources.
    Each entry: relation, source_model (a name for explain output), key_column (the row's key,
    a message id for events), occurred_at / received_at expressions, and column -> id_type.
-#}
{% macro identity_mention_sources() -%}
    {%- set segment = [
        ('stg_segment__identifies', ['anonymous_id', 'user_id', 'device_id', 'email', 'phone']),
        ('stg_segment__tracks', ['anonymous_id', 'user_id', 'device_id', 'email', 'phone']),
        ('stg_segment__pages', ['anonymous_id', 'user_id', 'email']),
        ('stg_segment__screens', ['anonymous_id', 'user_id', 'device_id', 'email']),
        ('stg_segment__product_viewed_events', ['anonymous_id', 'user_id', 'device_id', 'email']),
        ('stg_segment__product_added_events', ['anonymous_id', 'user_id', 'device_id', 'email']),
        ('stg_segment__cart_viewed_events', ['anonymous_id', 'user_id', 'device_id', 'email']),
        ('stg_segment__checkout_started_events', ['anonymous_id', 'user_id', 'device_id', 'email', 'phone']),
        ('stg_segment__order_completed_events', ['anonymous_id', 'user_id', 'device_id', 'email', 'phone']),
    ] -%}
    {%- set sources = [] -%}
    {%- for model_name, columns in segment -%}
        {%- set identifiers = {} -%}
        {%- for column in columns %}{% do identifiers.update({column: column}) %}{% endfor -%}
        {%- do sources.append({
            'relation': ref(model_name),
            'source_model': model_name,
            'key_expression': 'message_id',
            'occurred_at': 'occurred_at',
            'received_at': 'coalesce(received_at, occurred_at)',
            'identifiers': identifiers,
            'normalize': false,
        }) -%}
    {%- endfor -%}
    {#- users is keyed by user id and has no event time: its row is as old as its last update. -#}
    {%- do sources.append({
        'relation': ref('stg_segment__users'),
        'source_model': 'stg_segment__users',
        'key_expression': "'users:' || user_id",
        'occurred_at': 'updated_at',
        'received_at': 'updated_at',
        'identifiers': {'user_id': 'user_id', 'email': 'email', 'phone': 'phone'},
        'normalize': false,
    }) -%}
    {%- for extra in var('upstream__identity_extra_sources', []) -%}
        {%- do sources.append(upstream.declared_identity_source(extra)) -%}
    {%- endfor -%}
    {{- return(sources) -}}
{%- endmacro %}

{#- One entry of upstream__identity_extra_sources, checked and turned into a mention source. -#}
{% macro declared_identity_source(extra) -%}
    {%- set name = extra.get('name') -%}
    {%- for required in ['name', 'key_column', 'occurred_at_column', 'identifiers'] -%}
        {%- if not extra.get(required) -%}
            {{- exceptions.raise_compiler_error(
                "upstream__identity_extra_sources entry " ~ (name or extra) ~ " needs '" ~ required ~ "'"
            ) -}}
        {%- endif -%}
    {%- endfor -%}
    {%- if extra.get('ref') -%}
        {%- set relation = ref(extra['ref']) -%}
    {%- elif extra.get('source') -%}
        {%- set relation = source(extra['source'][0], extra['source'][1]) -%}
    {%- elif extra.get('relation') -%}
        {#- A table dbt does not manage, named schema.table. -#}
        {%- set relation = extra['relation'] -%}
    {%- else -%}
        {{- exceptions.raise_compiler_error("identity source " ~ name ~ " needs 'ref', 'source' or 'relation'") -}}
    {%- endif -%}
    {%- set known_types = upstream.identity_types().keys() | list -%}
    {%- set identifiers = {} -%}
    {%- for item in extra['identifiers'] -%}
        {%- if item['id_type'] not in known_types -%}
            {{- exceptions.raise_compiler_error(
                "identity source " ~ name ~ ": id_type '" ~ item['id_type']
                ~ "' is not declared in upstream__identity_types or upstream__identity_extra_types"
            ) -}}
        {%- endif -%}
        {%- do identifiers.update({item['column']: item['id_type']}) -%}
    {%- endfor -%}
    {{- return({
        'relation': relation,
        'source_model': name,
        'key_expression': "'" ~ name ~ ":' || cast(" ~ extra['key_column'] ~ " as " ~ dbt.type_string() ~ ")",
        'occurred_at': upstream.try_parse_timestamp_utc(extra['occurred_at_column']),
        'received_at': upstream.try_parse_timestamp_utc(extra.get('received_at_column', extra['occurred_at_column'])),
        'identifiers': identifiers,
        'normalize': true,
    }) -}}
{%- endmacro %}

{#- An identifier value from a declared source, cleaned the way staging cleans Segment's. -#}
{% macro normalized_identifier(column, id_type) -%}
    {%- set cleaned = upstream.nullif_junk(column) -%}
    {%- if id_type == 'email' -%}
        {{ upstream.normalize_email(cleaned) }}
    {%- elif id_type == 'phone' -%}
        {{ upstream.normalize_phone(cleaned) }}
    {%- else -%}
        {{ cleaned }}
    {%- endif -%}
{%- endmacro %}
