"""Each handler's first invocation counted in instructions, next to boto3's (issue 9, item 5).

The same scripts, environment and layer as the first-invocation section of ``make bench``
(``first_call.py``), each run once under valgrind's callgrind, which counts the instructions
the interpreter executes. As the wall-clock figures leave out the interpreter's start-up, so do
these: the count of an interpreter that starts in the same environment and exits at once is
taken off every row (the scripts end with ``os._exit``, so no teardown is counted either).
Wall-clock medians on a shared machine move by a third between runs; these counts move by well
under 1%, so they show what a change to the code did. Not part of ``make bench``: one callgrind run is 30-60 s, and
valgrind is not a project dependency (``apt-get install valgrind``).

    .venv/bin/python -m benchmarks.instructions [function ...]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.first_call import TARGET_RATIO, Subject, layer_subjects
from benchmarks.throughput import open_bench

_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(subject: Subject) -> int:
    """What callgrind counts for one run of ``subject`` (after a run that warms caches)."""
    run = [sys.executable, *subject.args]
    subprocess.run(run, env=subject.env, check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={Path(out) / 'cg'}", *run],
            env=subject.env,
            check=True,
            capture_output=True,
            text=True,
        )
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind counted nothing for {subject.name}: {done.stderr[-500:]}")
    return int(found.group(1))


def main(names: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with open_bench() as bench:
        envs = bench.function_envs
        wanted = {f"functions/{name}" for name in names or envs}
        with layer_subjects(envs, bench.local_env, bench.endpoint, bench.table_name) as every:
            subjects = [s for s in every if s.name in wanted or not s.name.startswith("func")]
            baseline_env = subjects[0].env
            start_up = instructions(
                Subject("start-up", ["-c", "import os; os._exit(0)"], baseline_env)
            )
            print(
                f"Interpreter start-up, taken off every row: {start_up / 1e6:,.0f} M instructions"
            )
            print("| first invocation | instructions (M) | / boto3 baseline | target <= 1.5x |")
            print("| --- | ---: | ---: | --- |")
            baseline = 0
            for subject in subjects:
                counted = instructions(subject) - start_up
                baseline = baseline or counted
                ratio = counted / baseline
                verdict = "(floor)" if subject.reference else ""
                if subject.name.startswith("functions/"):
                    verdict = "met" if ratio <= TARGET_RATIO else "**NOT met**"
                print(
                    f"| `{subject.name}` | {counted / 1e6:,.0f} | {ratio:.2f} | {verdict} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
