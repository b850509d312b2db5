"""Ground-truth accuracy of the identity graph on generated data (pairwise precision / recall).

    .venv/bin/python bench/identity_truth.py --events 1000000 --seed 42

Generates the events, runs `dbt build`, and scores main.id_graph against the truth schema
(how both figures are computed: datagen/identity_scoring.py).
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
from benchlib import run_dbt

from datagen.generate import GenerationConfig, generate
from datagen.identity_scoring import score_identity


def main() -> int:
    """Generate, build, score, print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="upstream-truth-"))
    db = workdir / "warehouse.duckdb"
    generate(GenerationConfig(db_path=db, events=args.events, seed=args.seed))
    run_dbt(["build"], db, workdir / "target")
    with duckdb.connect(str(db)) as con:
        score = score_identity(con)
    print(
        f"events={args.events:,} seed={args.seed} identifiers={score.identifiers_scored:,} "
        f"precision={score.precision:.5f} recall={score.recall:.5f} "
        f"(correct {score.correct_pairs:,} / predicted {score.predicted_pairs:,} "
        f"/ linkable {score.true_pairs:,})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
