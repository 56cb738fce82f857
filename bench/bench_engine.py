"""Engine throughput: Flowdesk against SpiffWorkflow 3.x, and the embedded store's durable steps.

Run: `.venv/bin/python bench/bench_engine.py [options]`, the same as `.venv/bin/python -m bench.engine`;
the bench lives in the package bench/engine/ (see its __init__ for the parts, `--help` for options).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from bench.engine.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
