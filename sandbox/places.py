"""Limits per run, not per process: a place (slot) of its own, a uid of its own, a control group.

* **Places.** At most ``SANDBOX_SLOTS`` runs (default: the number of CPUs, at least 2) run at once
  on a machine, across every process that uses the sandbox: each run holds an exclusive
  ``flock`` on one of the files ``slot-<n>.lock`` in ``SANDBOX_STATE_DIR`` (default
  ``/run/cc-sandbox`` as root) for its whole life; the others wait (up to ``queue_seconds``).
* **A uid per place.** Place *n* runs as host uid ``SANDBOX_UID_BASE + n`` (default base
  2,000,000,000, above the ranges container tools hand out), seen inside its user namespace as
  ``nobody``: the per-uid ``RLIMIT_NPROC`` and anything else counted per user is per run, so one
  run cannot use up another's.
* **A control group per run**, below the server's own: memory (``memory.max`` /
  ``memory.limit_in_bytes``, swap included), processes (``pids.max``), CPU bandwidth (one CPU)
  and CPU time summed over all the run's processes (read from ``cpu.stat`` / ``cpuacct.usage``,
  the caller stops the run when it passes its limit). cgroup v2 where the host has it, v1
  (``memory``, ``pids``, ``cpu``, ``cpuacct`` hierarchies) otherwise. When the run ends every
  process left in it is killed and the group removed.

Where a control group cannot be made (no controller, no permission: e.g. not root, or a cgroup v2
tree without delegation), runs still work with the per-process limits only; ``cgroup_status()``
says what is missing and ``sandbox.isolation_report()`` shows it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import itertools
import os
import signal
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")
_counter = itertools.count()


def slot_count() -> int:
    try:
        return max(1, int(os.environ.get("SANDBOX_SLOTS", "")))
    except ValueError:
        return max(2, os.cpu_count() or 2)


def run_uid(slot: int) -> int:
    return int(os.environ.get("SANDBOX_UID_BASE") or 2_000_000_000) + slot


def _state_dir() -> Path:
    if os.environ.get("SANDBOX_STATE_DIR"):
        return Path(os.environ["SANDBOX_STATE_DIR"])
    if os.geteuid() == 0:
        return Path("/run/cc-sandbox")
    return Path(tempfile.gettempdir()) / f"cc-sandbox-{os.geteuid()}"


def slot_folder_problem() -> str | None:
    """Why the slot folder cannot be trusted, or None. It must be this user's own and closed to
    others: in a shared temp folder another user could otherwise make it first and hold every place."""
    folder = _state_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        return f"its slot folder {folder} cannot be made ({exc})"
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        return f"its slot folder {folder} belongs to someone else or is writable by others (set SANDBOX_STATE_DIR)"
    return None


@contextlib.contextmanager
def slot(queue_seconds: float) -> Iterator[int | None]:
    """Hold one of the machine's places for a run (None when none came free in time)."""
    problem = slot_folder_problem()
    if problem:
        raise PermissionError(problem)
    folder = _state_dir()
    deadline = time.monotonic() + queue_seconds
    while True:
        count = slot_count()
        start = os.getpid() % count  # spread the processes over the places
        for number in [(start + i) % count for i in range(count)]:
            fd = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield number
            finally:
                os.close(fd)  # releases the lock
            return
        if time.monotonic() > deadline:
            yield None
            return
        time.sleep(0.02)


# --- control groups --------------------------------------------------------------------------------


def _own_cgroups() -> dict[str, str]:
    """controller (v1) or "" (v2) -> this process's cgroup path."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path
    return paths


def _v1_mounts() -> dict[str, Path]:
    mounts: dict[str, Path] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields = right.split()
        if len(fields) >= 3 and fields[0] == "cgroup":
            for option in fields[2].split(","):
                if option in V1_CONTROLLERS:
                    mounts.setdefault(option, Path(left.split()[4]))
    return mounts


@functools.cache
def _setup() -> tuple[int, dict[str, Path], str]:
    """(version, controller -> the folder runs are made in, what is missing and why)."""
    if os.environ.get("SANDBOX_CGROUPS", "1") == "0":
        return 0, {}, "control groups are switched off (SANDBOX_CGROUPS=0)"
    try:
        own = _own_cgroups()
        setup = _setup_v2(own) if (CGROUP_ROOT / "cgroup.controllers").exists() else _setup_v1(own)
    except OSError as exc:
        return 0, {}, f"no control group could be made ({exc})"
    for base in setup[1].values():
        _remove_stale(base)
    return setup


def _remove_stale(base: Path) -> None:
    """Groups left by a server process that died mid-run: kill what is in them, remove them."""
    for folder in base.glob("run-*"):
        try:
            os.kill(int(folder.name.split("-")[1]), 0)
            continue  # its server process is alive: its own business
        except ProcessLookupError:
            pass
        except (ValueError, PermissionError):
            continue
        with contextlib.suppress(OSError, ValueError):
            for pid in (folder / "cgroup.procs").read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(pid), signal.SIGKILL)
            time.sleep(0.05)
            folder.rmdir()


def _setup_v1(own: dict[str, str]) -> tuple[int, dict[str, Path], str]:
    mounts, bases, missing = _v1_mounts(), {}, []
    for name in V1_CONTROLLERS:
        if name not in mounts:
            missing.append(f"{name}: no such cgroup v1 hierarchy")
            continue
        base = mounts[name] / own.get(name, "/").lstrip("/") / "cc-sandbox"
        try:
            base.mkdir(exist_ok=True)
            probe = base / f"probe-{os.getpid()}"
            probe.mkdir(exist_ok=True)
            probe.rmdir()
        except OSError as exc:
            missing.append(f"{name}: {exc.strerror or exc}")
            continue
        bases[name] = base
    if name_missing := [n for n in ("memory", "pids") if n not in bases]:
        return 0, {}, "cgroup v1 without " + ", ".join(name_missing) + ": " + "; ".join(missing)
    return 1, bases, "; ".join(missing)


def _setup_v2(own: dict[str, str]) -> tuple[int, dict[str, Path], str]:
    parent = CGROUP_ROOT / own.get("", "/").lstrip("/")
    wanted = ["memory", "pids", "cpu"]
    base = parent / "cc-sandbox"
    try:
        base.mkdir(exist_ok=True)
        for folder in (parent, base):
            (folder / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
    except OSError as exc:
        hint = " (the server's own cgroup holds processes: delegate a subtree, e.g. systemd Delegate=yes)"
        return (
            0,
            {},
            f"cgroup v2: cannot enable {', '.join(wanted)} below {parent}: {exc.strerror}"
            + (hint if exc.errno == errno.EBUSY else ""),
        )
    return 2, {"": base}, ""


def cgroup_status() -> str:
    version, bases, missing = _setup()
    if not version:
        return f"none ({missing})"
    held = ", ".join(bases) if version == 1 else "memory, pids, cpu"
    return f"v{version} ({held})" + (f"; missing {missing}" if missing else "")


def _write(path: Path, value: Any) -> None:
    path.write_text(str(value))


class RunCgroup:
    """The control group of one run (a no-op where there is none)."""

    def __init__(self, limits: Any, slot: int) -> None:
        self.limits = limits
        self.version, bases, _ = _setup()
        name = f"run-{os.getpid()}-{slot}-{next(_counter)}"
        self.folders = {controller: base / name for controller, base in bases.items()}
        self._procs: list[str] = []

    def __enter__(self) -> RunCgroup:
        memory = self.limits.memory_mb * 1024 * 1024
        try:
            for folder in self.folders.values():
                folder.mkdir()
            if self.version == 1:
                self._v1_limits(memory)
            elif self.version == 2:
                folder = self.folders[""]
                _write(folder / "memory.max", memory)
                with contextlib.suppress(OSError):
                    _write(folder / "memory.swap.max", 0)
                _write(folder / "pids.max", self.limits.processes)
                _write(folder / "cpu.max", "100000 100000")
        except OSError:
            self._remove()
            raise
        self._procs = [str(folder / "cgroup.procs") for folder in self.folders.values()]
        return self

    def _v1_limits(self, memory: int) -> None:
        folders = self.folders
        _write(folders["memory"] / "memory.limit_in_bytes", memory)
        if (folders["memory"] / "memory.memsw.limit_in_bytes").exists():  # swap counts too
            _write(folders["memory"] / "memory.memsw.limit_in_bytes", memory)
        _write(folders["pids"] / "pids.max", self.limits.processes)
        if "cpu" in folders:  # at most one CPU's worth of time per period
            _write(folders["cpu"] / "cpu.cfs_period_us", 100000)
            _write(folders["cpu"] / "cpu.cfs_quota_us", 100000)

    def __exit__(self, *exc: object) -> None:
        self.kill()
        self._remove()

    def enter(self) -> None:
        """Called in the child between fork and exec: it and all it starts belong to the run."""
        pid = str(os.getpid())
        for procs in self._procs:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, pid.encode())
            finally:
                os.close(fd)

    def cpu_seconds(self) -> float:
        try:
            if self.version == 1 and "cpuacct" in self.folders:
                return int((self.folders["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
            if self.version == 2:
                for line in (self.folders[""] / "cpu.stat").read_text().splitlines():
                    if line.startswith("usage_usec "):
                        return int(line.split()[1]) / 1e6
        except (OSError, ValueError):
            pass
        return 0.0

    def out_of_memory(self) -> bool:
        """Whether the kernel killed a process of the run for passing the memory limit."""
        try:
            if self.version == 1:
                text = (self.folders["memory"] / "memory.oom_control").read_text()
                counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
                if "oom_kill" in counts:
                    return int(counts["oom_kill"]) > 0
                return int((self.folders["memory"] / "memory.failcnt").read_text()) > 0
            if self.version == 2:
                text = (self.folders[""] / "memory.events").read_text()
                counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
                return int(counts.get("oom_kill", 0)) > 0
        except (OSError, ValueError):
            pass
        return False

    def kill(self) -> None:
        """Kill every process still in the run's group (children that outlived the program too)."""
        for _ in range(200):
            pids: set[int] = set()
            for procs in self._procs:
                with contextlib.suppress(OSError, ValueError):
                    pids.update(int(p) for p in Path(procs).read_text().split())
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)

    def _remove(self) -> None:
        for folder in self.folders.values():
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
