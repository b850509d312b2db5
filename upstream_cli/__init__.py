"""Command-line tools over a built warehouse, apart from the Dagster code location: the demo
(`python -m upstream_cli.demo`), the build report (`python -m upstream_cli.report`) and the identity
explainer (`python -m upstream_cli.explain_identity`)."""
