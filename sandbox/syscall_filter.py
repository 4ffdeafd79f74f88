"""The seccomp filter every sandboxed program runs under, built with libseccomp (``pyseccomp``).

The filter is compiled here, in trusted code, to classic BPF (``seccomp_export_bpf``), handed to the
program with its configuration, and loaded by the prelude (``prctl(PR_SET_SECCOMP)``, after
``PR_SET_NO_NEW_PRIVS``) before the first untrusted line. It cannot be removed or loosened after
that, by the program or anything it becomes. A deny list on top of the jail: everything else is
allowed (the interpreter and NumPy need much), and each of these fails with ``EPERM``:

* starting programs or processes: ``execve``, ``execveat``, ``fork``, ``vfork``, and ``clone``
  unless it makes a thread (``CLONE_THREAD``) without new namespaces; ``clone3`` fails with
  ``ENOSYS`` (its flags cannot be inspected), so the C library falls back to ``clone``;
* reaching other processes: ``ptrace``, ``process_vm_readv``/``writev``, ``process_madvise``,
  ``kcmp``, ``pidfd_open``, ``pidfd_getfd``, ``pidfd_send_signal``;
* SysV IPC (``shm*``, ``msg*``, ``sem*``), sockets (``socket``, ``socketpair``), ``io_uring_*``,
  ``userfaultfd``, the kernel keyring (``keyctl``, ``add_key``, ``request_key``), ``bpf``,
  ``perf_event_open``, ``personality``;
* namespaces and mounts: ``unshare``, ``setns``, ``mount``, ``umount2``, ``pivot_root``,
  ``chroot``, the new mount API, ``open_by_handle_at``;
* the machine itself: modules, ``kexec``, ``reboot``, swap, clocks, ``acct``, ``quotactl``,
  ``syslog``, ``iopl``/``ioperm``.

System calls of another architecture (32-bit ``int 0x80``, x32) kill the process (libseccomp's
default for a foreign architecture).
"""

from __future__ import annotations

import errno
import functools
import tempfile

DENIED = (
    "execve", "execveat", "fork", "vfork",
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl",
    "socket", "socketpair", "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "personality",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "acct",
    "quotactl", "syslog", "iopl", "ioperm", "fanotify_init", "lookup_dcookie", "uselib", "vhangup",
)  # fmt: skip
CLONE_THREAD = 0x00010000
CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


@functools.cache
def compiled() -> tuple[bytes | None, str]:
    """(the filter as BPF, or None; what is missing and why, or "")."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError, AttributeError) as exc:  # no binding, or no libseccomp.so.2
        return None, f"no system-call filter: libseccomp is not available ({exc})"
    try:
        deny = seccomp.ERRNO(errno.EPERM)
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
        for name in DENIED:
            try:
                number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
            except (OSError, ValueError):
                continue
            if number >= 0:
                rules.add_rule(deny, name)
        # clone: threads only (CLONE_THREAD set), and never with new namespaces.
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        for flag in CLONE_NAMESPACES:
            rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        with tempfile.TemporaryFile() as out:
            rules.export_bpf(out)
            out.seek(0)
            return out.read(), ""
    except OSError as exc:
        return None, f"no system-call filter: libseccomp failed ({exc})"


def status() -> str:
    program, missing = compiled()
    return f"seccomp deny list ({len(program) // 8} BPF instructions)" if program else missing
