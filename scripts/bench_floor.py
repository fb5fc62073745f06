"""The raw SQL floor (../shared/floor/): built in a database of its own, measured with pgbench.

At a scale other than 1 the seed and the two scripts are rewritten with every count scaled (rows, users,
groups, processes), so the floor shrinks with Keyflow's data set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
# ../shared/floor from the main checkout; a worktree under /work/wt/ sits one level deeper.
FLOOR = Path(os.environ.get("BENCH_FLOOR_DIR") or next(
    (p for p in (_REPO.parent / "shared" / "floor", _REPO.parent.parent / "shared" / "floor") if p.is_dir()),
    _REPO.parent / "shared" / "floor"))
PG = ["-h", "127.0.0.1", "-U", "postgres"]


def pgbench_path() -> str:
    found = shutil.which("pgbench") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None)
    if not found:
        raise SystemExit("pgbench is missing: apt-get install postgresql-contrib (or postgresql-client)")
    return str(found)


def _scaled(text: str, scale: float) -> str:
    if scale == 1:
        return text

    def n(value: int) -> str:
        return str(max(1, round(value * scale)))

    # Smaller counts first: a scaled larger count must not be scaled again.
    text = re.sub(r"generate_series\(1,100000\)", f"generate_series(1,{n(100_000)})", text)
    text = re.sub(r"generate_series\(1,1000000\)", f"generate_series(1,{n(1_000_000)})", text)
    text = re.sub(r"random\(\)\*200\)", f"random()*{n(200)})", text)
    text = re.sub(r"random\(\)\*2000", f"random()*{n(2000)}", text)
    text = re.sub(r"random\(1, 1999\)", f"random(1, {int(n(2000)) - 1})", text)
    text = re.sub(r"random\(0, 199\)", f"random(0, {int(n(200)) - 1})", text)
    text = re.sub(r"%200\)", f"%{n(200)})", text)
    text = re.sub(r"random\(1, 100000\)", f"random(1, {n(100_000)})", text)
    return text


def _psql(database: str, *args: str) -> str:
    return subprocess.run(["psql", *PG, "-d", database, "-v", "ON_ERROR_STOP=1", *args], check=True,
                          capture_output=True, text=True).stdout


def floor_build(database: str, scale: float, workdir: Path) -> float:
    """Build the floor's tables; returns the seconds it took."""
    started = time.perf_counter()
    _psql("postgres", "-c", f"DROP DATABASE IF EXISTS {database}")
    _psql("postgres", "-c", f"CREATE DATABASE {database}")
    seed = workdir / "schema_seed.sql"
    seed.write_text(_scaled((FLOOR / "schema_seed.sql").read_text(), scale))
    _psql(database, "-q", "-f", str(seed))
    return time.perf_counter() - started


def floor_run(database: str, script: str, scale: float, workdir: Path, *, clients: int = 1,
              seconds: int = 15) -> dict[str, float]:
    """pgbench `script` for `seconds`: the average latency (ms) and transactions per second."""
    path = workdir / script
    path.write_text(_scaled((FLOOR / script).read_text(), scale))
    out = subprocess.run([pgbench_path(), *PG, "-n", "-f", str(path), "-c", str(clients), "-j", str(clients),
                          "-T", str(seconds), database], check=True, capture_output=True, text=True).stdout
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    return {"latency_ms": latency, "tps": tps}


def floor_measure(database: str, scale: float, seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        build_s = floor_build(database, scale, workdir)
        inbox = floor_run(database, "inbox.sql", scale, workdir, seconds=seconds)
        transition = floor_run(database, "transition.sql", scale, workdir, seconds=seconds)
        transition2 = floor_run(database, "transition.sql", scale, workdir, clients=2, seconds=seconds)
    from_python = floor_transition_from_python(database, scale, times=2000)
    return {
        "floor_build_s": round(build_s, 1),
        "inbox_floor_ms": inbox["latency_ms"],
        "completion_floor_ms": transition["latency_ms"],
        "completion_floor_per_s_1proc": transition["tps"],
        "completion_floor_per_s_2proc": transition2["tps"],
        "completion_floor_python_ms": from_python,
    }


def floor_transition_from_python(database: str, scale: float, times: int) -> float:
    """The floor's own transition.sql sent from Python through psycopg (no Django): the median ms.

    pgbench is C talking to the server; Keyflow is Python. This is what the floor's SQL alone costs from
    Python on this machine: the least any Python application could spend on the same statements.
    """
    import random
    import statistics

    import psycopg

    text = _scaled((FLOOR / "transition.sql").read_text(), scale)
    ranges = {name: (int(low), int(high)) for name, low, high in
              re.findall(r"\\set (\w+) random\((\d+), (\d+)\)", text)}
    statements = [re.sub(r":(\w+)", r"%(\1)s", line.strip()) for line in text.splitlines()
                  if line.strip() and not line.startswith("\\") and line.strip() not in ("BEGIN;", "COMMIT;")]
    samples = []
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=database) as conn:
        for i in range(times + 20):
            values = {name: random.randint(low, high) for name, (low, high) in ranges.items()}
            started = time.perf_counter()
            with conn.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, values)
            conn.commit()
            if i >= 20:
                samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3)
