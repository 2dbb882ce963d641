"""Run the `kader` command line in this process, then report its peak memory on stderr (one JSON
line): the command's own peak RSS and the largest peak RSS of its worker processes. Used by
bench/sweep_bench.py."""

import json
import resource
import runpy
import sys
from pathlib import Path

CLI = Path(__file__).resolve().parent.parent / "cli.py"

if __name__ == "__main__":
    sys.argv = [str(CLI)] + sys.argv[1:]
    sys.path.insert(0, str(CLI.parent))
    code = 0
    try:
        runpy.run_path(str(CLI), run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print("MEASURE " + json.dumps({"self_kb": me, "worker_kb": kids}), file=sys.stderr)
    sys.exit(code)
