"""Run untrusted Python (students' strategies and coding tasks) outside the web process.

What is enforced where (``isolation_report()`` says which of it holds on this machine):

============================  ==========================================================  ===========
guarantee                     mechanism                                                   enforced by
============================  ==========================================================  ===========
no network                    own network namespace (only a downed loopback); seccomp     kernel
                              denies ``socket``/``socketpair``
no host files, no project     own mount namespace + ``chroot`` into a throwaway tmpfs     kernel
                              holding only the interpreter, its stdlib, site-packages
                              and the shared libraries they load (``ldd``), read-only;
                              ``/tmp`` a private 1 MiB tmpfs of the run's own (no exec)
no other processes            own PID namespace (the program is PID 1); seccomp denies    kernel
                              ``ptrace``, ``process_vm_*``, ``pidfd_*``, ``kcmp``; the
                              trusted launcher outside it is non-dumpable
no programs, no processes     seccomp denies ``execve``/``execveat``, ``fork``/``vfork``  kernel
                              and ``clone`` except for threads; ``clone3`` gets ENOSYS
no privileges                 as root: ``nobody`` in a user namespace of its own, mapped  kernel
                              to a host uid of its own place; every capability dropped
                              (bounding set too), no new privileges
no lasting side effects       own IPC and UTS namespaces (SysV objects die with the run;  kernel
                              seccomp also denies them), tmpfs thrown away, control
                              group killed whole at the end
memory, processes, CPU        a control group per run (``sandbox.places``; v2, or v1      kernel
                              memory/pids/cpu/cpuacct): summed over all the run's
                              processes; plus per-process rlimits (address space, CPU
                              seconds, processes per uid, file size, open files)
fair share                    at most ``SANDBOX_SLOTS`` runs at once on the machine       this module
                              (``flock`` on slot files), the rest queue
time, output, result size     wall-clock timeout (kills the group), ``RLIMIT_FSIZE`` on   this module
                              the captured stdout/stderr, result pipe capped by the
                              reader
clean environment             ``python -I -S -B``, an environment of three variables      this module
friendly refusals             the prelude's audit hook turns the common cases (open,      the program
                              socket, subprocess, fork, thread, ctypes) into clear        itself: NOT
                              messages; one line can switch it off, nothing rests on it   a boundary
============================  ==========================================================  ===========

The seccomp filter (``sandbox.syscall_filter``) is compiled by libseccomp in this process and
loaded by the program's prelude before its first untrusted line; the namespaces, chroot, uid and
capabilities are set up by ``drivers/jail.py`` (trusted, started through ``unshare``) before it
executes the program.

Modes, strongest available first:

* ``namespaces`` (Linux with util-linux's ``unshare``): all of the above. Where control groups
  cannot be made (not root, no controller, cgroup v2 without delegation) memory and CPU are
  limited per process only and ``isolation_report()["control group"]`` says why; without
  libseccomp there is no system-call filter and ``isolation_report()["system calls"]`` says so.
  Not as root, a user namespace maps the server's user as a capability-less root (no uid pool).
* ``rlimits`` (no usable ``unshare``): a plain child process with the rlimits, the control group
  and the seccomp filter, but the server's files in reach. Refused unless
  ``SANDBOX_ALLOW_RLIMITS_ONLY=1`` and ``DEBUG`` on (a developer's machine), and every run logs a
  warning.

The program talks to the caller through stdin (input bytes) and a result pipe (its descriptor
number is in the prelude's settings); only those bytes, stdout and stderr come back, and the
caller decides any verdict from them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sandbox.places import RunCgroup as _RunCgroup
from sandbox.places import cgroup_status, run_uid, slot_folder_problem
from sandbox.places import slot as _slot
from sandbox.places import slot_count as _slot_count
from sandbox.syscall_filter import compiled as compiled_filter
from sandbox.syscall_filter import status as syscall_filter_status

NOBODY = 65534
logger = logging.getLogger("sandbox")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 10
    wall_seconds: float = 20.0
    memory_mb: int = 1024
    output_bytes: int = 64 * 1024
    result_bytes: int = 16 * 1024 * 1024
    processes: int = 64
    open_files: int = 64
    queue_seconds: float = 30.0  # how long a run waits for a free place (see SANDBOX_SLOTS)


@dataclass
class SandboxResult:
    exit_code: int | None
    stdout: str
    stderr: str
    result: bytes
    error: str | None  # a limit or refusal, in words; None when the program ran to its end
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None and self.exit_code == 0


def driver(name: str) -> str:
    """The text of a driver program in sandbox/drivers/ (``prelude``, ``plain``, ``grade_cases``,
    ``grade_calls``, ``strategy``)."""
    return _driver_text(f"{name}.py")


@functools.cache
def _driver_text(filename: str) -> str:
    return resources.files("sandbox.drivers").joinpath(filename).read_text(encoding="utf-8")


def _driver_path(name: str) -> str:
    return str(resources.files("sandbox.drivers").joinpath(f"{name}.py"))


JAIL_TMP_BYTES = 1024 * 1024  # each run's private scratch space (/tmp in the jail)
_JAIL_PYTHON = f"/py/bin/python{sys.version_info.major}.{sys.version_info.minor}"


def _python_home() -> Path:
    return Path(sys.base_prefix)


def _python_binary() -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (_python_home() / "bin" / version, Path(getattr(sys, "_base_executable", sys.executable))):
        if candidate.exists():
            return candidate.resolve()
    return Path(sys.executable).resolve()


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


@functools.cache
def _jail_binds() -> list[list[str]]:
    """What the jail sees of the host, read-only: the interpreter, its standard library, the
    site-packages and the shared libraries these load (found with ``ldd``), nothing else."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    home, site = _python_home(), _site_packages()
    binds = [[str(_python_binary()), _JAIL_PYTHON], [str(home / "lib" / version), f"/py/lib/{version}"]]
    for library in sorted((home / "lib").glob("libpython*.so*")):
        binds.append([str(library.resolve()), f"/py/lib/{library.name}"])
    binds.append([str(site), "/site"])
    objects = [str(_python_binary()), *map(str, (home / "lib" / version / "lib-dynload").glob("*.so"))]
    objects += [str(path) for path in site.glob("numpy*/**/*.so*")]
    try:
        listing = subprocess.run(["ldd", *objects], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ""
    libraries = set()
    for line in listing.splitlines():
        words = line.split()
        path = words[2] if len(words) >= 3 and words[1] == "=>" else words[0] if words else ""
        if path.startswith("/") and not path.endswith(":") and not path.startswith((str(home), str(site))):
            libraries.add(path)
    if not libraries:  # no ldd: the whole library folders, as before
        return binds + [[d, d] for d in ("/usr/lib", "/usr/lib64", "/lib", "/lib64") if Path(d).is_dir()]
    return binds + [[str(Path(path).resolve()), path] for path in sorted(libraries)]


_ISOLATION_FOUND: dict[str, str] = {}


def isolation(*, queue_seconds: float = 300) -> str:
    """``namespaces`` when the jail works on this machine, else ``rlimits``.

    Only a definite answer is kept for the life of the process. A probe that found every place
    taken, or ran out of time on a loaded machine, is asked again next time: one busy moment must
    not switch the jail off for a worker until it restarts.
    """
    if "mode" in _ISOLATION_FOUND:
        return _ISOLATION_FOUND["mode"]
    if sys.platform != "linux" or not shutil.which("unshare"):
        _ISOLATION_FOUND["mode"] = "rlimits"
        return "rlimits"
    # The probe waits for a place like any run (a busy machine must not look like a broken one).
    limits = Limits(wall_seconds=15, queue_seconds=queue_seconds)
    probe = run_python("print('ok')", limits=limits, _mode="namespaces")
    if probe.ok and probe.stdout.strip() == "ok":
        _ISOLATION_FOUND["mode"] = "namespaces"
        return "namespaces"
    return "rlimits"


def isolation_report() -> dict[str, str]:
    """What holds on this machine, layer by layer, in words (for the docs, the admin, the lab)."""
    jailed = isolation() == "namespaces"
    as_root = os.geteuid() == 0
    return {
        "mode": isolation(),
        "namespaces": "mount, network, PID, IPC, UTS (and a user namespace per run)"
        if jailed
        else "none: the program sees the server's files, processes and network (development only)",
        "files": "only the interpreter, its libraries and site-packages, read-only; a private 1 MiB /tmp"
        if jailed
        else "everything the server's user can read (the audit hook refuses the obvious cases only)",
        "user": "nobody, a host uid of its own per place, no capabilities"
        if as_root
        else "the server's user (root of a user namespace without capabilities when jailed)",
        "control group": cgroup_status(),
        "system calls": syscall_filter_status(),
        "places": f"at most {_slot_count()} runs at once on this machine (SANDBOX_SLOTS), the rest wait",
        "audit hook": "clear messages for the common refusals; not a boundary",
    }


def _limit_child(limits: Limits) -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    memory = limits.memory_mb * 1024 * 1024
    for kind, value in (
        (resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes)),
        (resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NPROC, (limits.processes, limits.processes)),
    ):
        resource.setrlimit(kind, value)


def weak_isolation_allowed() -> bool:
    """The limits-only mode is allowed only with SANDBOX_ALLOW_RLIMITS_ONLY=1 and DEBUG on."""
    debug = os.environ.get("DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
    return debug and os.environ.get("SANDBOX_ALLOW_RLIMITS_ONLY") == "1"


class SandboxUnavailable(RuntimeError):
    pass


def run_python(
    source: str,
    *,
    input_bytes: bytes = b"",
    limits: Limits = Limits(),
    guard: bool = True,
    _mode: str | None = None,
    _user_namespace: bool | None = None,
    _seccomp: bool = True,
) -> SandboxResult:
    """Run `source` (a whole program) in the sandbox and collect what it wrote.

    With guard=False the audit hook is not installed up front: a trusted driver program does its
    set-up (e.g. reading its input) and calls install_guard() itself before any untrusted line. The
    seccomp filter is loaded before the driver's first line either way.

    Without the namespace jail, untrusted code is refused unless both SANDBOX_ALLOW_RLIMITS_ONLY=1
    and DEBUG (on, in the environment: this package cannot read Django's settings) are set: the
    limits, the system-call filter and the audit hook alone are not a boundary around the files
    of the user who runs the server, so that mode is for a developer's own machine only, and every
    run in it logs a warning.
    """
    mode = _mode or isolation()
    if mode == "rlimits" and _mode is None:
        if not weak_isolation_allowed():
            return SandboxResult(
                None, "", "", b"",
                "refused: this server cannot isolate untrusted code (it needs Linux with unshare "
                "from util-linux); on a development machine, SANDBOX_ALLOW_RLIMITS_ONLY=1 together with "
                "DEBUG=1 allows weaker isolation",
                0.0,
            )  # fmt: skip
        logger.warning(
            "sandbox: running untrusted code NOT ISOLATED (SANDBOX_ALLOW_RLIMITS_ONLY=1 with DEBUG on): "
            "it can read and delete the files of the user %s; never do this on a server",
            os.geteuid() if os.geteuid() != 0 else "of its place (not root)",
        )
    started = time.monotonic()
    if problem := slot_folder_problem():
        return SandboxResult(None, "", "", b"", f"the sandbox could not start: {problem}", 0.0)
    with _slot(limits.queue_seconds) as slot:
        if slot is None:
            return SandboxResult(
                None, "", "", b"",
                f"refused: the sandbox is busy (all {_slot_count()} places are taken); try again in a moment",
                time.monotonic() - started,
            )  # fmt: skip
        try:
            cgroup = _RunCgroup(limits, slot).__enter__()
        except OSError as exc:
            return SandboxResult(None, "", "", b"", f"the sandbox could not start: {exc}", 0.0)
        try:
            place = _Place(slot, cgroup, started)
            bpf = compiled_filter()[0] if _seccomp else None
            options = {"guard_now": guard, "seccomp": bpf.hex() if bpf else None}
            return _run_in_place(source, input_bytes, limits, options, mode, _user_namespace, place)
        finally:
            cgroup.__exit__(None, None, None)


@dataclass
class _Place:
    slot: int
    cgroup: _RunCgroup
    started: float


def _run_in_place(source, input_bytes, limits, options, mode, user_namespace, place: _Place) -> SandboxResult:
    slot = place.slot
    with tempfile.TemporaryDirectory(prefix="cc-sandbox-") as work:
        work_dir = Path(work)
        os.chmod(work_dir, 0o755)
        jailed = mode == "namespaces"
        site = ["/site"] if jailed else [str(_site_packages())]
        allowed = ["/py/", "/site/", "/usr/", "/tmp/", "/work/program.py"] if jailed else [
            str(_python_home()) + "/", str(_site_packages()) + "/", str(work_dir) + "/"
        ]  # fmt: skip
        result_read, result_write = os.pipe()
        program = work_dir / "program.py"
        writable = "/tmp/" if jailed else str(work_dir / "tmp") + "/"
        config = {"site": site, "allowed": allowed, "writable": writable, "result_fd": result_write, **options}
        program.write_text(driver("prelude") + "\n" + source)
        os.chmod(program, 0o644)
        root = work_dir / "root"
        root.mkdir(mode=0o755)
        python_args = ["-I", "-S", "-B"]
        env = {"LD_LIBRARY_PATH": "/py/lib", "OPENBLAS_NUM_THREADS": "1", "LANG": "C.UTF-8"}
        if jailed:
            as_root = os.geteuid() == 0 and not user_namespace
            # jail.py adds the PID namespace (and, as root, the run's own user namespace) itself.
            namespaces = ["--mount", "--net", "--ipc", "--uts"]
            if not as_root:
                namespaces = ["--user", "--map-root-user", *namespaces]
            jail = {
                "root": str(root),
                "binds": _jail_binds(),
                "tmp_bytes": JAIL_TMP_BYTES,
                "program": str(program),
                "outer_uid": run_uid(slot) if as_root else None,
                "inner_uid": NOBODY,
                "argv": [_JAIL_PYTHON, *python_args, "/work/program.py", json.dumps(config)],
                "env": env,
            }
            command = [
                "unshare", *namespaces, str(_python_binary()), "-I", "-S", "-B", _driver_path("jail"), json.dumps(jail)
            ]  # fmt: skip
            child_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        else:
            command = [str(_python_binary()), *python_args, str(program), json.dumps(config)]
            child_env = {k: v for k, v in env.items() if k != "LD_LIBRARY_PATH"}
            if (_python_home() / "lib").is_dir():
                child_env["LD_LIBRARY_PATH"] = str(_python_home() / "lib")
        pipe = (result_read, result_write)
        uid = run_uid(slot) if not jailed else None
        return _execute(command, child_env, work_dir, input_bytes, limits, place, pipe, uid)


def _execute(command, env, work_dir: Path, input_bytes: bytes, limits: Limits, place: _Place, pipe, uid):
    drop, cgroup, started = uid is not None, place.cgroup, place.started
    stdout_path, stderr_path = work_dir / "stdout", work_dir / "stderr"
    result_read, result_write = pipe
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:

        def prepare() -> None:
            cgroup.enter()
            _limit_child(limits)
            if drop and os.geteuid() == 0:  # rlimits mode as root: at least not root, and a uid of its own
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)

        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=work_dir if drop else "/",
                env=env,
                pass_fds=(result_write,),
                preexec_fn=prepare,
                close_fds=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            os.close(result_read)
            os.close(result_write)
            hint = ""
            if drop and os.geteuid() == 0:
                hint = " (as root the sandbox needs unshare from util-linux)"
            return SandboxResult(None, "", "", b"", f"the sandbox could not start: {exc}{hint}", 0.0)
        os.close(result_write)
        chunks: list[bytes] = []
        overflow = threading.Event()

        def read_result() -> None:
            total = 0
            with os.fdopen(result_read, "rb") as pipe:
                while block := pipe.read(1 << 16):
                    total += len(block)
                    if total > limits.result_bytes:
                        overflow.set()
                        continue  # drain, keep nothing
                    chunks.append(block)

        stdin = process.stdin
        assert stdin is not None  # stdin=PIPE

        def write_input() -> None:
            try:
                stdin.write(input_bytes)
            except (BrokenPipeError, OSError):
                pass
            finally:
                with contextlib.suppress(OSError):
                    stdin.close()

        readers = [threading.Thread(target=read_result, daemon=True), threading.Thread(target=write_input, daemon=True)]
        for thread in readers:
            thread.start()
        timed_out, cpu_used, cpu_stopped = _wait(process, limits, cgroup)
        cgroup.kill()  # whatever the run left behind (children that outlived their parent)
        for thread in readers:
            thread.join(timeout=5)
    stdout = stdout_path.read_bytes().decode("utf-8", "replace")
    stderr = stderr_path.read_bytes().decode("utf-8", "replace")
    code = process.returncode
    if cpu_stopped:
        cpu_used = max(cpu_used, float(limits.cpu_seconds))
    error = _explain(code, timed_out, overflow.is_set(), stdout, stderr, limits, cpu_used, cgroup.out_of_memory())
    return SandboxResult(code, stdout, stderr, b"".join(chunks), error, time.monotonic() - started)


def _wait(process: subprocess.Popen, limits: Limits, cgroup: _RunCgroup) -> tuple[bool, float, bool]:
    """Wait for the run's end or a limit: (wall time passed, CPU seconds used, CPU limit passed)."""
    deadline = time.monotonic() + limits.wall_seconds
    stopped = False
    while True:
        # wait4 gives this child's own CPU time (with its descendants); the control group, where
        # there is one, gives the whole run's, so CPU used by forked children counts too.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if not pid and (time.monotonic() > deadline or cgroup.cpu_seconds() >= limits.cpu_seconds):
            stopped = True
            _kill(process)
            cgroup.kill()
            pid, status, usage = os.wait4(process.pid, 0)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            cpu_used = max(usage.ru_utime + usage.ru_stime, cgroup.cpu_seconds())
            timed_out = stopped and time.monotonic() > deadline
            return timed_out, cpu_used, stopped and not timed_out
        time.sleep(0.01)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _explain(code, timed_out, overflow, stdout, stderr, limits: Limits, cpu_used=0.0, oom=False) -> str | None:
    if timed_out:
        return f"stopped: it ran longer than the {limits.wall_seconds:g} s time limit"
    if overflow:
        return f"stopped: the result was larger than {limits.result_bytes // 1024 // 1024} MiB"
    if oom:  # the control group's limit: the kernel killed a process of the run
        return f"stopped: it tried to use more than {limits.memory_mb} MiB of memory"
    if code != 0 and (code in (-signal.SIGXCPU, -signal.SIGKILL) or cpu_used >= limits.cpu_seconds - 0.05):
        return f"stopped: it used more than {limits.cpu_seconds} s of CPU time"
    if code == -signal.SIGXFSZ or len(stdout.encode()) >= limits.output_bytes:
        return f"stopped: it printed more than {limits.output_bytes // 1024} KiB of output"
    if "MemoryError" in stderr:
        return f"stopped: it tried to use more than {limits.memory_mb} MiB of memory"
    if "PermissionError" in stderr and "not allowed in the sandbox" in stderr:
        line = next(line for line in reversed(stderr.splitlines()) if "not allowed in the sandbox" in line)
        return "refused: " + line.split("PermissionError:", 1)[-1].strip()
    if code and "[Errno 1] Operation not permitted" in stderr:
        line = next(line for line in reversed(stderr.splitlines()) if "[Errno 1] Operation not permitted" in line)
        return f"refused: the sandbox's system-call filter or jail does not allow this ({line.strip()})"
    if code and ("[Errno 30] Read-only file system" in stderr or "[Errno 13] Permission denied" in stderr):
        return "refused: writing files is not allowed in the sandbox (only its own /tmp is writable)"
    if code and "FileNotFoundError" in stderr and "[Errno 2]" in stderr:
        line = next(line for line in reversed(stderr.splitlines()) if "FileNotFoundError" in line)
        path = line.rsplit(": ", 1)[-1]
        return f"refused: {path} is not available in the sandbox (it has no access to the server's files)"
    if code == -signal.SIGSYS:  # the filter kills a system call of another architecture (x32, int 0x80)
        return "stopped: it made a system call the sandbox does not allow (SIGSYS)"
    if code is not None and code < 0:
        return f"stopped by signal {signal.Signals(-code).name}"
    return None
