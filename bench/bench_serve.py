"""`flowdesk serve` on a store at scale: seconds from starting the command to the first page served.

Run: `.venv/bin/python bench/bench_serve.py [--open 100000] [--closed 100000] [--days 365] [--repeats 5]
[--folder DIR] [--profile] [--json FILE]`

The store comes from `bench/scale.py` (its examples published and demo users made, so the start is
not a first start; with `--folder` it is kept and reused). Each repeat starts
`flowdesk serve --data STORE --port P` as a new process and asks for the sign-in page (`/login`)
every 10 ms until it is served: that moment, from the start of the process, is the figure (with
the server's CPU time until then); then it asks the REST API for a page of open work as the demo
agent (the first request that needs the store's indexes, which load on first use), and the
process is stopped (SIGINT, as Ctrl+C) and waited for. Medians of `--repeats`, and the target
(issue 14): < 2 s with 100,000 stored cases.

`--profile` also runs one start under `py-spy record` (if installed) and prints where the start's
time goes, by function, down to the moment the page was served.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from scale import generate  # noqa: E402

from runtime.access import system_user  # noqa: E402
from runtime.accounts import Accounts  # noqa: E402
from runtime.service import Runtime  # noqa: E402
from runtime.storage.tinydb_store import TinyDBStore  # noqa: E402

TARGET_S = 2.0
FLOWDESK = Path(sys.executable).with_name("flowdesk")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def agent_token(folder: Path) -> str:
    """An API token of the demo agent bob (made once, kept beside the store)."""
    kept = folder.parent / "bench-token"
    if not kept.exists():
        with TinyDBStore.open(folder) as store:
            kept.write_text(Accounts(Runtime(store)).make_token(system_user("bench"), "bob").text)
    return kept.read_text().strip()


def get(url: str, token: str | None = None) -> bool:
    """Whether `url` answers 200 now (False while the server is not up yet)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def first_page(folder: Path, wrapper: list[str] | None = None, timeout: float = 120.0,
               token: str | None = None) -> tuple[float, float, float | None]:
    """Start `flowdesk serve` (under `wrapper`, if given) and wait for /login: seconds from start to that page, the
    server's CPU seconds until then (the machine is shared: wall time includes waiting for other processes), and
    with `token`, seconds from start until the first page of open work came from the API (it needs the indexes)."""
    port = free_port()
    command = [*(wrapper or []), str(FLOWDESK), "serve", "--data", str(folder), "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        while True:
            if get(f"http://127.0.0.1:{port}/login"):
                page, cpu = time.perf_counter() - started, cpu_seconds(server.pid)
                work = None
                if token is not None:
                    if not get(f"http://127.0.0.1:{port}/api/v1/work-items?limit=50", token):
                        raise RuntimeError("the API did not answer the list of open work items")
                    work = time.perf_counter() - started
                return page, cpu, work
            if server.poll() is not None:
                raise RuntimeError(f"flowdesk serve stopped: {server.stderr.read().decode() if server.stderr else ''}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"no page after {timeout:.0f} s")
            time.sleep(0.01)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def profile(folder: Path) -> None:
    """One start under py-spy; the functions the start spent most time in (own and with callees)."""
    spy = shutil.which("py-spy", path=str(FLOWDESK.parent)) or shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: .venv/bin/pip install py-spy")
        return
    with tempfile.TemporaryDirectory() as temp:
        raw = Path(temp) / "start.txt"
        seconds, _, _ = first_page(folder, [spy, "record", "--rate", "500", "--format", "raw", "--output", str(raw),
                                      "--subprocesses", "--"])
        own: collections.Counter[str] = collections.Counter()
        within: collections.Counter[str] = collections.Counter()
        total = 0
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].rstrip(")") for frame in stack.split(";")]
            total += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                within[frame] += int(count)
    print(f"\nprofile of one start ({seconds:.2f} s to the page under py-spy; samples until the server stopped)")
    print("with callees:")
    for frame, count in within.most_common(25):
        print(f"  {count / total:6.1%}  {frame}")
    print("own time:")
    for frame, count in own.most_common(12):
        print(f"  {count / total:6.1%}  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="keep the generated store here and reuse it")
    parser.add_argument("--profile", action="store_true", help="also profile one start with py-spy")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "serve.json")
    args = parser.parse_args()
    folder = (args.folder or Path(tempfile.mkdtemp(prefix="flowdesk-bench-serve-"))) / "store"
    built = generate(folder, args.open, args.closed, args.days)
    print(f"{args.open + args.closed:,} stored cases ({args.open:,} open, {args.closed:,} closed) "
          + (f"(generated in {built:.0f} s)" if built else "(reusing the generated store)"))
    token = agent_token(folder)
    first_page(folder)  # a first start after generating may checkpoint; not measured
    runs = [first_page(folder, token=token) for _ in range(args.repeats)]
    median, cpu = statistics.median(run[0] for run in runs), statistics.median(run[1] for run in runs)
    work = statistics.median(run[2] for run in runs)
    print(f"flowdesk serve to the first page: median {median:.2f} s wall, {cpu:.2f} s CPU of the server, over "
          f"{args.repeats} starts ({', '.join(f'{run[0]:.2f}/{run[1]:.2f}' for run in runs)})")
    print(f"to the first page of open work (GET /api/v1/work-items as bob, after /login; loads the indexes): "
          f"median {work:.2f} s wall")
    print(f"target < {TARGET_S:.0f} s: wall {'PASS' if median < TARGET_S else 'MISS'}, "
          f"CPU {'PASS' if cpu < TARGET_S else 'MISS'}  (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs: wall time waits for other processes)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"open": args.open, "closed": args.closed, "runs": runs, "median_wall": median,
                                     "median_cpu": cpu, "median_first_work_wall": work, "target_s": TARGET_S,
                                     "load_average": os.getloadavg()[0]},
                                    indent=2) + "\n")
    print(f"results written to {args.json}")
    if args.profile:
        profile(folder)


if __name__ == "__main__":
    main()
