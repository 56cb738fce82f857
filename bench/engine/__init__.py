"""The engine benchmark: Flowdesk beside SpiffWorkflow 3.x on equivalent processes, and the embedded store's
durable steps (their cost as the store grows, and completions per second with many agents at once).

Run `.venv/bin/python -m bench.engine --help` (or `bench/bench_engine.py`). Parts:

- `scenarios`: the workloads (processes), each for both engines, played as runtime scenarios; one only starts
  and ends, so the report can show what a case costs each engine before its flow does anything, and what each
  node or completed task costs beyond that;
- `adapters`: one class per engine that runs a whole case (Flowdesk memory and durable, Spiff memory and
  durable, the bare fdatasync floor);
- `statistics`: interleaved timed batches, medians of wall and CPU time;
- `growth`: the durable cost of one step with 100 to 100,000 stored cases;
- `agents`: 1 and 16 agents completing tasks on one embedded store at once (group commit), with the CPU and
  fdatasync time per completion and the ceiling they set for the ratio;
- `report`: the tables, and the same figures as JSON.

SpiffWorkflow is a bench-only dependency: `.venv/bin/pip install 'spiffworkflow>=3,<4'`.
"""
