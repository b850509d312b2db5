{# Segment Consent on events, one row per message and stated category (macro consent_preferences). #}
{{ upstream.consent_preferences() }}
