{#-
    var upstream__cart_abandonment, validated: errors name the field. The send window may not
    exceed the frequency cap: within one window at most one message per channel can then go out,
    which is what lets the decision model pick it without recursion.
-#}
{% macro cart_abandonment_settings() -%}
    {%- set raw = var('upstream__cart_abandonment') -%}
    {%- set where = 'var upstream__cart_abandonment: ' -%}
    {%- for key in ['email_after_minutes', 'sms_after_minutes', 'ad_after_minutes', 'ad_audience_days'] -%}
        {%- if raw.get(key) is not number or raw.get(key) <= 0 -%}
            {{ exceptions.raise_compiler_error(where ~ key ~ ' must be a positive number') }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not (raw['email_after_minutes'] < raw['sms_after_minutes'] < raw['ad_after_minutes']) -%}
        {{ exceptions.raise_compiler_error(where ~ 'steps must come in order: email_after_minutes < sms_after_minutes < ad_after_minutes') }}
    {%- endif -%}
    {%- for channel in ['email', 'sms'] -%}
        {%- set window = (raw.get('send_window_minutes') or {}).get(channel) -%}
        {%- set cap = (raw.get('frequency_cap_hours') or {}).get(channel) -%}
        {%- if window is not number or window <= 0 or cap is not number or cap <= 0 -%}
            {{ exceptions.raise_compiler_error(where ~ 'send_window_minutes.' ~ channel ~ ' and frequency_cap_hours.' ~ channel ~ ' must be positive numbers') }}
        {%- endif -%}
        {%- if window > cap * 60 -%}
            {{ exceptions.raise_compiler_error(where ~ 'send_window_minutes.' ~ channel ~ ' (' ~ window ~ ') may not exceed frequency_cap_hours.' ~ channel ~ ' (' ~ cap ~ ' h)') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set holdout_share = raw.get('holdout_share', 0) -%}
    {%- if holdout_share is not number or holdout_share < 0 or holdout_share >= 1 -%}
        {{ exceptions.raise_compiler_error(where ~ 'holdout_share must be a number in [0, 1)') }}
    {%- endif -%}
    {{- return({
        'steps': [
            {'number': 1, 'name': 'email', 'channel': 'email', 'after_minutes': raw['email_after_minutes']},
            {'number': 2, 'name': 'sms', 'channel': 'sms', 'after_minutes': raw['sms_after_minutes']},
            {'number': 3, 'name': 'retargeting_ad', 'channel': 'ads', 'after_minutes': raw['ad_after_minutes']},
        ],
        'ad_audience_days': raw['ad_audience_days'],
        'send_window_minutes': raw['send_window_minutes'],
        'frequency_cap_hours': raw['frequency_cap_hours'],
        'holdout_share': holdout_share,
        'horizon_minutes': raw['ad_after_minutes'] + raw['ad_audience_days'] * 1440,
    }) -}}
{%- endmacro %}
