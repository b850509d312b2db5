"""The parity scenario both engine suites run: the same generated raw data, loaded in two phases
into DuckDB and into the other engine; a full build on the first phase, an incremental build
after the second; after each build, every relation DuckDB holds is compared row by row."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from datagen.generate import GenerationConfig, generate
from tests.support.parity.compare import differences
from tests.support.parity.raw_phases import RawTable, export_phases
from tests.support.parity.warehouses import DuckDBWarehouse, Relations
from tests.support.shared_builds import made_once
from tests.support.warehouse import PROJECT_ROOT

# The generator's default window is 2026-09-01 + 60 days: the first build sees 49 days, the
# incremental one 11 more (about a fifth of the rows), including late-arriving identities.
CUTOFF = "2026-10-20 00:00:00"
END = "2026-10-31 00:00:00"
PHASES = ((1, CUTOFF), (2, END))

# Public models the suites must find populated, so an empty comparison cannot pass as parity.
MUST_HAVE_ROWS = ("id_graph", "profiles", "segment_events", "segment_membership", "rejected_events")


@dataclass
class PhaseResult:
    as_of: str
    differences: list[str]
    row_counts: dict[str, int]


def run(other_side, factory: pytest.TempPathFactory) -> list[PhaseResult]:
    """Run the phases on `other_side` and compare each with DuckDB's. The raw files and DuckDB's
    rows are the same for both engine suites, so they are made once per test run."""
    folder, tables = made_once(factory, "parity-raw", _export_raw_phases)

    def duckdb_rows(workdir: Path) -> list[Relations]:
        return DuckDBWarehouse(workdir).run_phases(tables, folder, PHASES)

    # Each engine runs the phases on its own (dbt and Spark are subprocesses), so the two overlap
    # on the two cores; the comparison waits for both.
    with ThreadPoolExecutor(max_workers=2) as pool:
        expected_run = pool.submit(made_once, factory, "parity-duckdb", duckdb_rows)
        actual_run = pool.submit(other_side.run_phases, tables, folder, PHASES)
        expected_phases, actual_phases = expected_run.result(), actual_run.result()
    results = []
    for (_, as_of), expected, actual in zip(PHASES, expected_phases, actual_phases, strict=True):
        found = [
            differences(relation, expected[relation], actual[relation])
            if relation in actual
            else f"{relation}: missing on {other_side.name}"
            for relation in sorted(expected)
        ]
        results.append(
            PhaseResult(
                as_of=as_of,
                differences=[line for line in found if line],
                row_counts={relation: len(rows) for relation, (_, rows) in expected.items()},
            )
        )
    return results


def _export_raw_phases(folder: Path) -> tuple[Path, list[RawTable]]:
    """The suites' raw data, 20k demo events (seed 23), split into the two phases' files."""
    source = folder / "source.duckdb"
    generate(GenerationConfig(db_path=source, events=20_000, seed=23))
    return folder / "raw", export_phases(source, folder / "raw", CUTOFF)


def assert_equal_and_not_vacuous(result: PhaseResult) -> None:
    """The check both suites make after each build."""
    empty = [name for name in MUST_HAVE_ROWS if not result.row_counts.get(name)]
    assert not empty, f"as of {result.as_of} these models are empty, so parity proves nothing: {empty}"
    assert sum(count for name, count in result.row_counts.items() if name.startswith("sync_")) > 0
    assert not result.differences, "\n\n".join(result.differences)


def models_not_compared(results: list[PhaseResult]) -> set[str]:
    """Model files whose relation the last comparison did not cover (should be none)."""
    models = {path.stem for path in (PROJECT_ROOT / "models").rglob("*.sql")}
    return models - set(results[-1].row_counts)
