{#-
    Text without leading or trailing white space of any kind: spaces, tabs, carriage returns and
    line feeds (SQL's one-argument trim removes spaces only, so a pasted "\tana@shop.io\n"
    stayed distinct from ana@shop.io and a deletion request for it found nobody).
    `trim(both <chars> from <text>)` is standard SQL and runs as is on DuckDB, PostgreSQL and Spark.
-#}
{% macro trim_whitespace(expr) -%}
    trim(both ' ' || chr(9) || chr(10) || chr(13) from {{ expr }})
{%- endmacro %}
