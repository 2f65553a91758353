"""`--profile`: py-spy samples each Python process of the system while a benchmark measures,
then the functions that took the most of each process's samples are printed, by own time
(the frame on top) and by inclusive time (anywhere on the stack).

Samples are taken without pausing the processes (`--nonblocking`), at a low rate, so the
figures printed beside them move a little, not their order.
"""

if __name__ == "__main__":  # `make bench` runs every bench/*.py: there is nothing to measure here
    raise SystemExit(0)

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

RATE = 100  # samples a second per process
TOP = 8
SCAFFOLD = 0.9  # inclusive shares above this are left out
NOT_PYTHON = ("postgres", "redis", "client")  # py-spy reads Python interpreters only
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


@contextmanager
def profiled(procs: dict[str, psutil.Process], enabled: bool) -> Iterator[None]:
    """Sample every Python process of `procs` for the duration of the block, then print each
    one's top functions (nothing at all unless `enabled`)."""
    if not enabled:
        yield
        return
    spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if spy is None:
        raise SystemExit("--profile needs py-spy (pip install -e '.[dev]')")
    folder = Path(tempfile.mkdtemp(prefix="cabanas-profile-"))
    flags = ["--rate", str(RATE), "--nonblocking", "--function", "--format", "raw"]
    running = {
        name: subprocess.Popen(
            [spy, "record", "--pid", str(proc.pid), *flags, "--output", str(folder / f"{name}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, proc in procs.items()
        if not name.startswith(NOT_PYTHON)
    }
    try:
        yield
    finally:
        for sampler in running.values():
            sampler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for name, sampler in running.items():
            sampler.wait(timeout=30)
            _print(name, folder / f"{name}.txt")
        shutil.rmtree(folder, ignore_errors=True)


def _print(name: str, path: Path) -> None:
    # py-spy writes names as the process has them: a stray byte is no reason to lose the rest.
    own, inclusive, total = _count(path.read_text(errors="replace") if path.exists() else "")
    print(f"profile {name}: {total} samples")
    # What nearly every sample holds is the event loop and the process's main: no news.
    below_loop = Counter({f: n for f, n in inclusive.items() if n < SCAFFOLD * total})
    for title, counts in (("own", own), ("inclusive", below_loop)):
        for function, n in counts.most_common(TOP):
            print(f"  {title:<9} {n / max(total, 1) * 100:5.1f} %  {function}")


def _count(raw: str) -> tuple[Counter[str], Counter[str], int]:
    """Samples per function on top of the stack and anywhere on it, from py-spy's raw format
    (one `frame;frame;...;top count` line per distinct stack)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        n = int(count)
        frames = [_short(frame) for frame in stack.split(";")]
        total += n
        own[frames[-1]] += n
        for function in set(frames):
            inclusive[function] += n
    return own, inclusive, total


def _short(frame: str) -> str:
    """`function (path/to/module.py:12)` as `function (module.py)`: the paths run long."""
    found = _FRAME.match(frame)
    if found is None:
        return frame
    return f"{found['function']} ({Path(found['file']).name})"
