#!/usr/bin/env python3
"""ProtoWrap's reliability suite.

Each experiment starts what it needs on loopback (nginx and smtp-sink as backends, faulty HTTP
backends and crashing SMTP sinks of its own, ProtoWrap from the runtime image, HAProxy where
HAProxy applies), does one
bounded thing to it, stops it, and prints one line: PASS or FAIL against the expected behaviour,
ProtoWrap's figure, and HAProxy's beside it. A markdown table of every line ends the run.

Settings shorter than the defaults (serverTimeout, requestTimeout, shutdownGrace, health-check
interval) are named in each experiment's line, so that an experiment ends in seconds.
"""

import argparse
import os
import random
import resource
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import harness as bench  # noqa: E402  the benchmark's process and measurement helpers

PROTOWRAP = str(bench.IMAGE / "bin" / "protowrap")
bench.NGINX_PORT = 19080  # read by bench.nginx_config; away from the benchmark's ports
NGINX2_PORT = 19081
SINK1_PORT, SINK2_PORT = 19025, 19026
PW_PORT, PW_PORT2, PW_PORT3 = 19100, 19101, 19102
HA_PORT = 19200
ADMIN_PORT = 19300
FAKE_PORT = 19400
SMALL = b"GET /small HTTP/1.1\r\nHost: reliability\r\n\r\n"


class Suite:
    def __init__(self, workdir, quick):
        self.workdir = workdir
        self.quick = quick
        self.services = bench.Services(workdir)
        self.started = 0

    def start(self, name, argv, port, fd_limit=None):
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))) if fd_limit else None
        self.started += 1
        return self.services.start(f"{self.started:02d}-{name}", argv, port, preexec_fn=limit)

    def log_of(self, name):
        return self.workdir / f"{self.started:02d}-{name}.log"

    def protowrap(self, name, yaml, port, fd_limit=None):
        """ProtoWrap running `yaml`; returns (process, config path, log path)."""
        config = self.workdir / f"{name}.yaml"
        config.write_text(yaml)
        proc = self.start(name, [PROTOWRAP, "run", "--config", str(config)], port, fd_limit)
        return proc, config, self.log_of(name)

    def haproxy(self, name, cfg, port, fd_limit=None):
        """HAProxy in master-worker mode (SIGUSR2 reloads it, the master passing on the listeners)."""
        config = self.workdir / f"{name}.cfg"
        config.write_text(cfg)
        return self.start(name, ["haproxy", "-W", "-db", "-f", str(config)], port, fd_limit), config


def stop(proc, sig=signal.SIGTERM, seconds=15):
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wrapper(name, protocol, port, dest, extra=""):
    dest = ", ".join(f"127.0.0.1:{p}" for p in (dest if isinstance(dest, (list, tuple)) else [dest]))
    return (f"  - name: {name}\n    protocol: {protocol}\n    listenAddr: 127.0.0.1\n    listenPort: {port}\n"
            f"    destAddr: [{dest}]\n" + "".join(f"    {line}\n" for line in extra.splitlines() if line))


def pw_config(*wrappers, top=""):
    return "allowRoot: true\nlogLevel: 1\n" + top + "wrappers:\n" + "".join(wrappers)


def ha_config(body, mode="http", extra_defaults=""):
    return (f"global\n    maxconn 9000\n    nbthread 2\ndefaults\n    mode {mode}\n    timeout connect 5s\n"
            f"    timeout client 5m\n    timeout server 5m\n    maxconn 9000\n    retries 3\n    option redispatch\n"
            f"{extra_defaults}{body}")


def ha_listen(port, backends, mode="http"):
    servers = "".join(f"    server b{p} 127.0.0.1:{p}\n" for p in backends)
    return f"listen front\n    mode {mode}\n    bind 127.0.0.1:{port}\n{servers}"


def fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def threads(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("Threads:")).split()[1])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def line_count(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def read_response(f):
    """Status and lower-case headers of one HTTP response read from file `f`, body consumed.
    None when the connection ended before a status line."""
    status_line = f.readline()
    if not status_line:
        return None
    headers = {}
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("connection ended inside a response head")
        if line in (b"\r\n", b"\n"):
            break
        key, _, value = line.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip().lower()
    body = int(headers.get("content-length", "0"))
    if body and len(f.read(body)) < body:
        raise ConnectionError("connection ended inside a response body")
    return int(status_line.split()[1]), headers


def get(port, timeout=5.0):
    """Status of one GET /small on a new connection, or an exception's class name."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(SMALL)
            answer = read_response(s.makefile("rb"))
            return answer[0] if answer else "closed"
    except OSError as e:
        return type(e).__name__


def wait_for_get(port, seconds):
    """Seconds until a GET through `port` is answered 200, or None."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if get(port, timeout=2) == 200:
            return time.monotonic() - start
        time.sleep(0.1)
    return None


# ---------------------------------------------------------------- reload under load

def exp_reload(suite, close):
    """wrk against the wrapper while it is reloaded N times, each reload changing a timeout and
    adding or removing the second backend; every connection error or non-2xx counts."""
    reloads = 5 if suite.quick else 29
    interval = 0.8 if suite.quick else 1.0
    duration = int(reloads * interval + 4)
    extra = ("-H", "Connection: close") if close else ()
    backends = ([bench.NGINX_PORT, NGINX2_PORT], [bench.NGINX_PORT])

    def run(start_system, reload_system):
        result = {}
        load = threading.Thread(target=lambda: result.update(
            bench.run_wrk(PW_PORT if start_system == "pw" else HA_PORT, duration, 50, extra=extra)))
        load.start()
        time.sleep(1.5)
        for i in range(reloads):
            reload_system(i)
            time.sleep(interval)
        load.join()
        return result

    admin = f"admin: {{listenPort: {ADMIN_PORT}}}\n"
    proc, config, _ = suite.protowrap("reload", pw_config(wrapper("web", "http", PW_PORT, backends[0]), top=admin),
                                      PW_PORT)
    applied = [0]

    def pw_reload(i):
        config.write_text(pw_config(wrapper("web", "http", PW_PORT, backends[(i + 1) % 2],
                                            f"idleTimeout: {5 + (i + 1) % 2}m"), top=admin))
        proc.send_signal(signal.SIGHUP)
        # Applied when the status page lists the second backend exactly when the new file does.
        deadline = time.monotonic() + interval * 0.95
        while time.monotonic() < deadline:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{ADMIN_PORT}/status", timeout=1).read().decode()
                if (f":{NGINX2_PORT}" in status) == ((i + 1) % 2 == 0):
                    applied[0] += 1
                    return
            except OSError:
                pass
            time.sleep(0.1)

    # The first request to the admin endpoint initializes it; not part of any reload's time.
    bench.wait_for_port(ADMIN_PORT, 10)
    urllib.request.urlopen(f"http://127.0.0.1:{ADMIN_PORT}/status", timeout=10).read()
    pw = run("pw", pw_reload)
    stop(proc)
    applied = applied[0]
    ha, ha_cfg = suite.haproxy("reload-haproxy", ha_config(ha_listen(HA_PORT, backends[0])), HA_PORT)

    def ha_reload(i):
        ha_cfg.write_text(ha_config(ha_listen(HA_PORT, backends[(i + 1) % 2])))
        ha.send_signal(signal.SIGUSR2)

    hp = run("ha", ha_reload)
    stop(ha)
    kind = "Connection: close" if close else "keep-alive"
    return {
        "ok": pw["errors"] == 0 and applied >= reloads,
        "figure": f"{pw['errors']} errors in {pw['requests']:,} requests across {reloads} SIGHUPs "
                  f"({applied} applied), {kind}",
        "haproxy": f"{hp['errors']} errors in {hp['requests']:,} requests across {reloads} reloads (-W, SIGUSR2)",
        "expect": "0 connection errors or non-2xx; every reload applied",
    }


# ---------------------------------------------------------------- SIGTERM drain

def drain(port, count, busy, grace, send_signal):
    """`count` keep-alive clients, each with one answered request, then the signal. Idle clients
    must see their connection closed without a byte sent to them; busy ones, which go on sending
    requests, must get every answer, the last one saying `Connection: close`."""
    clients = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=grace + 5)
        f = s.makefile("rb")
        s.sendall(SMALL)
        read_response(f)
        clients.append((s, f))
    outcome = {"clean": 0, "errors": 0, "idle_closes": 0, "requests": 0, "last_end": 0.0, "why": {}}
    lock = threading.Lock()
    signalled = [time.monotonic()]

    def follow(s, f):
        why = None
        try:
            if not busy:
                why = None if s.recv(1) == b"" else "a byte sent"
            else:
                while True:
                    s.sendall(SMALL)
                    answer = read_response(f)
                    if answer is None:
                        # a clean end before any byte of the answer: the server closed the connection
                        # as idle while this request was on its way (RFC 9112 section 9.3.1: a client
                        # retries such a request on a new connection); not an error, counted apart
                        with lock:
                            outcome["idle_closes"] += 1
                        break
                    with lock:
                        outcome["requests"] += 1
                    if answer[0] != 200:
                        why = f"status {answer[0]}"
                        break
                    if answer[1].get("connection") == "close":
                        break
        except OSError as e:
            why = type(e).__name__
        with lock:
            outcome["clean" if why is None else "errors"] += 1
            if why:
                outcome["why"][why] = outcome["why"].get(why, 0) + 1
            outcome["last_end"] = max(outcome["last_end"], time.monotonic() - signalled[0])
        s.close()

    workers = [threading.Thread(target=follow, args=c) for c in clients]
    if busy:
        for w in workers:
            w.start()
        time.sleep(1)
    signalled[0] = time.monotonic()
    send_signal()
    if not busy:
        for w in workers:
            w.start()
    for w in workers:
        w.join(grace + 10)
    outcome["signalled"] = signalled[0]
    return outcome


def exp_drain(suite, busy):
    count, grace = (20, 5) if busy else (50, 5)
    proc, _, _ = suite.protowrap("drain", pw_config(wrapper("web", "http", PW_PORT, bench.NGINX_PORT),
                                                    top=f"shutdownGrace: {grace}s\n"), PW_PORT)
    pw = drain(PW_PORT, count, busy, grace, lambda: proc.send_signal(signal.SIGTERM))
    proc.wait(grace + 10)
    pw_exit = time.monotonic() - pw["signalled"]
    ha, _ = suite.haproxy("drain-haproxy", ha_config(ha_listen(HA_PORT, [bench.NGINX_PORT])), HA_PORT)
    hp = drain(HA_PORT, count, busy, grace, lambda: ha.send_signal(signal.SIGUSR1))  # soft stop
    try:
        ha.wait(grace + 10)
    except subprocess.TimeoutExpired:
        pass
    ha_exit = time.monotonic() - hp["signalled"]
    stop(ha)
    what = f"{count} busy" if busy else f"{count} idle"

    def figure(o, exit_time):
        why = "".join(f", {n} {w}" for w, n in sorted(o["why"].items()))
        closes = f", {o['idle_closes']} closed as idle with the next request on its way" if busy else ""
        return (f"{o['errors']} errors of {what} keep-alive clients{why}{closes}, last closed after "
                f"{o['last_end']:.2f} s, exit after {exit_time:.2f} s"
                + (f", {o['requests']:,} requests answered" if busy else ""))
    return {
        "ok": pw["errors"] == 0 and pw["last_end"] < grace - 1,
        "figure": figure(pw, pw_exit) + f" (shutdownGrace {grace}s)",
        "haproxy": figure(hp, ha_exit) + " (SIGUSR1)",
        "expect": "0 errors (idle: closed without a byte; busy: every answer whole, the last saying Connection: "
                  "close, or the connection closed cleanly before its next request), all closed before the grace ends",
    }


# ---------------------------------------------------------------- SMTP no loss

class SmtpSink:
    """A minimal SMTP server that records the Message-ID of every message it answers 250 to
    (before answering), and can crash: close its listener and every session at once, with a
    reset, as a killed process would."""

    def __init__(self, port):
        self.ids = []
        self.sessions = []
        self.crashed = False
        self.server = socket.create_server(("127.0.0.1", port), backlog=1024)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.crashed:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.sessions.append(conn)
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        try:
            f = conn.makefile("rb")
            conn.sendall(b"220 sink ESMTP\r\n")
            while not self.crashed:
                line = f.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    msg_id = None
                    while (body := f.readline()) not in (b".\r\n", b""):
                        if msg_id is None and body.lower().startswith(b"message-id:"):
                            msg_id = body.split(b":", 1)[1].strip().decode()
                    if not body or self.crashed:
                        return
                    self.ids.append(msg_id)
                    conn.sendall(b"250 2.0.0 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                elif verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250-sink\r\n250 8BITMIME\r\n" if verb == b"EHLO" else b"250 sink\r\n")
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def crash(self):
        self.crashed = True
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, which holds the socket
        except OSError:
            pass
        self.server.close()
        for conn in self.sessions:
            try:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()
            except OSError:
                pass


def smtp_sender(port, numbers, accepted, lock, deadline):
    """Sends one message for each number, several per session, each attempt with its own
    Message-ID; a failed attempt is not retried (so that a duplicate at the sinks can only come
    from the proxy). Records the IDs that got a 250."""
    client = None
    for n in numbers:
        if time.monotonic() > deadline:
            return
        msg_id = f"<{n}.reliability@example.com>"
        try:
            if client is None:
                client = smtplib.SMTP("127.0.0.1", port, timeout=20)
                client.ehlo("reliability.example.com")
            client.sendmail("source@example.com", ["sink@example.com"],
                            f"Message-ID: {msg_id}\r\nSubject: {n}\r\n\r\n" + ("x" * 70 + "\r\n") * 14)
            with lock:
                accepted.append(msg_id)
        except (OSError, smtplib.SMTPException):
            try:
                if client is not None:
                    client.close()
            except OSError:
                pass
            client = None
    if client is not None:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass


def smtp_no_loss(suite, port, messages, start_proxy):
    """`messages` messages through the proxy over two sinks, from 10 sessions; the first sink
    crashes once a third of them arrived. Lost: answered 250 but at no sink; duplicated: at the
    sinks more than once."""
    s1, s2 = SmtpSink(SINK1_PORT), SmtpSink(SINK2_PORT)
    proxy = start_proxy()
    accepted, lock = [], threading.Lock()
    deadline = time.monotonic() + (60 if suite.quick else 300)
    senders = [threading.Thread(target=smtp_sender, args=(port, range(i, messages, 10), accepted, lock, deadline))
               for i in range(10)]
    for t in senders:
        t.start()
    killed_at = None
    while any(t.is_alive() for t in senders):
        if killed_at is None and len(s1.ids) + len(s2.ids) >= messages // 3:
            s1.crash()
            killed_at = len(s1.ids) + len(s2.ids)
        time.sleep(0.02)
    stop(proxy)
    s1.crash()
    s2.crash()
    received = s1.ids + s2.ids
    unique = set(received)
    return {"accepted": len(accepted), "lost": len(set(accepted) - unique), "duplicated": len(received) - len(unique),
            "killed_at": killed_at, "received": len(received)}


def exp_smtp(suite):
    messages = 1000 if suite.quick else 10000

    def pw_proxy():
        return suite.protowrap("smtp", pw_config(wrapper("mail", "smtp", PW_PORT, [SINK1_PORT, SINK2_PORT])),
                               PW_PORT)[0]

    def ha_proxy():
        return suite.haproxy("smtp-haproxy", ha_config(ha_listen(HA_PORT, [SINK1_PORT, SINK2_PORT], "tcp"),
                                                       "tcp"), HA_PORT)[0]
    pw = smtp_no_loss(suite, PW_PORT, messages, pw_proxy)
    hp = smtp_no_loss(suite, HA_PORT, messages, ha_proxy)

    def figure(r):
        return (f"{r['lost']} lost, {r['duplicated']} duplicated of {r['accepted']:,} accepted "
                f"({r['received']:,} at the sinks, sink 1 crashed after {r['killed_at']})")
    return {"ok": pw["lost"] == 0 and pw["duplicated"] == 0 and pw["accepted"] >= messages * 0.99,
            "figure": figure(pw), "haproxy": figure(hp) + " (mode tcp)",
            "expect": f"0 lost, 0 duplicated; at least 99% of {messages:,} accepted (a session cut with the sink may fail)"}


# ---------------------------------------------------------------- faulty backends

class FakeBackend:
    """A backend that misbehaves in one way: silent, reset, garbage or slow-reader."""

    def __init__(self, kind, port):
        self.kind = kind
        self.held = []
        self.server = socket.create_server(("127.0.0.1", port), backlog=1024)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)
            if self.kind != "slow-reader":
                threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            conn.recv(65536)
            if self.kind == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()
            elif self.kind == "garbage":
                conn.sendall(b"HELLO\r\n" + bytes(random.getrandbits(8) for _ in range(512)))
                conn.close()
            else:
                while conn.recv(65536):
                    pass
        except OSError:
            pass

    def close(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        for conn in self.held:
            conn.close()


def fault_client(port, kind, body, results, lock):
    outcome = "timeout"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            if kind == "slow-reader":
                s.sendall(b"POST /upload HTTP/1.1\r\nHost: reliability\r\nContent-Length: %d\r\n\r\n" % body)
                chunk = b"x" * 65536
                try:
                    for _ in range(body // len(chunk)):
                        s.sendall(chunk)
                except OSError:
                    pass
            else:
                s.sendall(SMALL)
            first = s.makefile("rb").readline(256)
            outcome = first.split(b" ", 2)[1].decode() if first.startswith(b"HTTP/1.") else (
                "garbage relayed" if first else "closed")
    except socket.timeout:
        pass
    except OSError as e:
        outcome = type(e).__name__
    with lock:
        results[outcome] = results.get(outcome, 0) + 1


def fault_run(port, pids, kind, clients, body):
    results, lock = {}, threading.Lock()
    base = bench.rss_kib(pids)
    workers = [threading.Thread(target=fault_client, args=(port, kind, body, results, lock)) for _ in range(clients)]
    for w in workers:
        w.start()
    peak = base
    while any(w.is_alive() for w in workers):
        peak = max(peak, bench.rss_kib(pids))
        time.sleep(0.2)
    return results, (peak - base) / 1024


def exp_backend_faults(suite):
    clients = 20 if suite.quick else 100
    body = (1 << 20) if suite.quick else (8 << 20)
    kinds = ["silent", "reset", "garbage", "slow-reader"]
    fakes = [FakeBackend(k, FAKE_PORT + i) for i, k in enumerate(kinds)]
    try:
        pw_wrappers = [wrapper(k, "http", PW_PORT + i, FAKE_PORT + i, "serverTimeout: 2s")
                       for i, k in enumerate(kinds)]
        proc, _, log = suite.protowrap("faults", pw_config(*pw_wrappers), PW_PORT)
        ha_body = "".join(ha_listen(HA_PORT + i, [FAKE_PORT + i]).replace("listen front", f"listen {k}")
                          for i, k in enumerate(kinds))
        ha, _ = suite.haproxy("faults-haproxy", ha_config(ha_body).replace("timeout server 5m", "timeout server 2s"),
                              HA_PORT)
        time.sleep(1)
        fds_before = fds(proc.pid)
        pw_lines, ha_lines, ok, worst = [], [], True, 0.0
        # 503 once passive health has marked the faulty backend down (HAProxy here runs without checks)
        expected = {"silent": {"504", "503"}, "reset": {"502", "503"}, "garbage": {"502", "503"},
                    "slow-reader": {"504", "503", "closed", "ConnectionResetError", "BrokenPipeError"}}
        for i, kind in enumerate(kinds):
            pw, pw_rss = fault_run(PW_PORT + i, [proc.pid], kind, clients, body)
            hp, ha_rss = fault_run(HA_PORT + i, [ha.pid] + bench.children(ha.pid), kind, clients, body)
            ok = ok and set(pw) <= expected[kind]
            worst = max(worst, pw_rss)
            pw_lines.append(f"{kind} {pw} +{pw_rss:.0f} MiB")
            ha_lines.append(f"{kind} {hp} +{ha_rss:.0f} MiB")
        time.sleep(2)
        fds_after = fds(proc.pid)  # the faulty backends still up, their clients gone
        for fake in fakes:
            fake.close()
        time.sleep(2)
        fds_ended = fds(proc.pid)  # and once the faults ended
        traces = sum(1 for line in open(log, errors="replace") if line.startswith("\tat "))
        stop(proc)
        stop(ha)
    finally:
        for fake in fakes:
            fake.close()
    bound = 64 if suite.quick else 128
    ok = ok and worst < bound and max(fds_after, fds_ended) <= fds_before + 8 and traces == 0
    return {"ok": ok,
            "figure": "; ".join(pw_lines) + f"; descriptors {fds_before} before, {fds_after} 2 s after the last "
                      f"client, {fds_ended} once the faulty backends closed; stack traces {traces}",
            "haproxy": "; ".join(ha_lines),
            "expect": f"silent 504, reset 502, garbage 502 (never relayed), slow reader 504 or closed; 503 once "
                      f"the backend is marked down; "
                      f"RSS growth < {bound} MiB with {clients} clients; fds back (serverTimeout 2s)"}


# ---------------------------------------------------------------- slow loris

def loris(port, clients, after_first, hold):
    """Clients that send one byte a second, before or after a first complete request; returns how
    long each was held (`hold` for those never closed)."""
    socks = []
    for _ in range(clients):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if after_first:
            s.sendall(SMALL)
            read_response(s.makefile("rb"))
        s.setblocking(False)
        socks.append(s)
    start = time.monotonic()
    held = {}
    drip = b"GET /small HTTP/1.1\r\nHost: reliability\r\nX-Slow: " + b"a" * 200
    position = 0
    while socks and time.monotonic() - start < hold:
        for s in list(socks):
            try:
                if s.recv(65536) == b"":
                    raise ConnectionError
            except BlockingIOError:
                try:
                    s.send(drip[position:position + 1])
                    continue
                except OSError:
                    pass
            except OSError:
                pass
            held[s] = time.monotonic() - start
            socks.remove(s)
            s.close()
        position = (position + 1) % len(drip)
        time.sleep(1)
    for s in socks:
        held[s] = hold
        s.close()
    return sorted(held.values())


def exp_slowloris(suite):
    clients, timeout, hold = (50, 3, 12) if suite.quick else (500, 3, 20)
    proc, _, _ = suite.protowrap("loris", pw_config(wrapper("web", "http", PW_PORT, bench.NGINX_PORT,
                                                            f"requestTimeout: {timeout}s\n"
                                                            "maxConnectionsPerClient: 0")), PW_PORT)
    ha, _ = suite.haproxy("loris-haproxy", ha_config(ha_listen(HA_PORT, [bench.NGINX_PORT]),
                                                     extra_defaults=f"    timeout http-request {timeout}s\n"), HA_PORT)
    results = {}
    for system, port in (("pw", PW_PORT), ("ha", HA_PORT)):
        for after in (False, True):
            held = loris(port, clients, after, hold)
            results[system, after] = (max(held), sum(1 for h in held if h > 2 * timeout + 1))
    stop(proc)
    stop(ha)

    def figure(system):
        (b_max, b_over), (a_max, a_over) = results[system, False], results[system, True]
        return (f"before the first request: longest held {b_max:.1f} s, {b_over} over {2 * timeout + 1} s; "
                f"after it: longest {a_max:.1f} s, {a_over} over")
    return {"ok": results["pw", False][1] == 0 and results["pw", True][1] == 0,
            "figure": figure("pw") + f" ({clients} clients, requestTimeout {timeout}s)",
            "haproxy": figure("ha") + f" (timeout http-request {timeout}s)",
            "expect": "every slow client closed near requestTimeout, before and after a first request"}


# ---------------------------------------------------------------- idle connections

def exp_idle(suite):
    count = 1000 if suite.quick else 10000
    port = PW_PORT
    yaml = pw_config(wrapper("idle", "line", port, bench.NGINX_PORT,
                             "maxConnections: 100000\nmaxConnectionsPerClient: 0\nidleTimeout: 10m\nrequestTimeout: 10m"))
    figures = {}
    for system in ("pw", "ha"):
        if system == "pw":
            proc = suite.protowrap("idle", yaml, port)[0]
        else:
            proc = suite.haproxy("idle-haproxy", ha_config(ha_listen(port, [bench.NGINX_PORT], "tcp"), "tcp"), port)[0]
        time.sleep(1)
        pids = [proc.pid] + bench.children(proc.pid)
        before = bench.rss_kib(pids)
        # HAProxy holds two descriptors per connection; its maxconn stays within the hard limit
        held = bench.hold_idle_connections(port, count if system == "pw" else min(count, 8000))
        time.sleep(3)
        after = bench.rss_kib(pids)
        for s in held:
            s.close()
        stop(proc)
        figures[system] = ((after - before) / len(held), before, after, len(held))
    pw, hp = figures["pw"], figures["ha"]
    return {"ok": pw[0] < 16,
            "figure": f"{pw[0]:.1f} KiB per idle connection (RSS {pw[1]} -> {pw[2]} KiB, {count:,} clients, "
                      f"line wrapper)",
            "haproxy": f"{hp[0]:.1f} KiB per connection (RSS {hp[1]} -> {hp[2]} KiB, {hp[3]:,} clients, mode tcp)",
            "expect": "< 16 KiB per idle connection"}


# ---------------------------------------------------------------- descriptors

def exp_fd_exhaustion(suite):
    """ProtoWrap under `ulimit -n 256` flooded with idle clients: accepting must pause instead of
    spinning, the log stay short, the backends stay up, and a request succeed soon after."""
    flood, hold = (600, 5) if suite.quick else (2000, 15)
    yaml = pw_config(wrapper("web", "http", PW_PORT, [bench.NGINX_PORT, NGINX2_PORT],
                             "healthCheck: {interval: 1s, timeout: 1s, rise: 2, fall: 2}\n"
                             "options: {healthCheckPath: /small}\nmaxConnectionsPerClient: 0"),
                     top=f"admin: {{listenPort: {ADMIN_PORT}}}\n")
    proc, _, log = suite.protowrap("fds", yaml, PW_PORT, fd_limit=256)
    time.sleep(2)
    lines_before, cpu_before = line_count(log), cpu_seconds(proc.pid)
    socks = []
    for _ in range(flood):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", PW_PORT))
        socks.append(s)
    time.sleep(hold)
    cpu = (cpu_seconds(proc.pid) - cpu_before) / hold
    lines = line_count(log) - lines_before
    for s in socks:
        s.close()
    recovered = wait_for_get(PW_PORT, 30)
    time.sleep(3)
    try:
        status = urllib.request.urlopen(f"http://127.0.0.1:{ADMIN_PORT}/status", timeout=5).read().decode()
    except OSError as e:
        status = str(e)
    downs = sum(1 for line in open(log, errors="replace") if "-> DOWN" in line.upper())
    stop(proc)

    ha, _ = suite.haproxy("fds-haproxy", ha_config(ha_listen(HA_PORT, [bench.NGINX_PORT, NGINX2_PORT]))
                          .replace("    maxconn 9000\n", ""), HA_PORT, fd_limit=256)
    time.sleep(1)
    ha_pids = [ha.pid] + bench.children(ha.pid)
    ha_cpu_before = sum(cpu_seconds(p) for p in ha_pids)
    socks = []
    for _ in range(flood):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", HA_PORT))
        socks.append(s)
    time.sleep(hold)
    ha_cpu = (sum(cpu_seconds(p) for p in ha_pids) - ha_cpu_before) / hold
    for s in socks:
        s.close()
    ha_recovered = wait_for_get(HA_PORT, 30)
    stop(ha)
    ok = (recovered is not None and recovered < 5 and downs == 0 and lines < 20 and cpu < 0.5
          and '"DOWN"' not in status.upper().replace(" ", ""))
    return {"ok": ok,
            "figure": f"{flood:,} idle clients under ulimit -n 256 for {hold} s: {cpu:.2f} cores, {lines} log lines; "
                      f"a request answered {fmt_seconds(recovered)} after the flood ended; "
                      f"backends marked down {downs} times",
            "haproxy": f"{ha_cpu:.2f} cores; a request answered {fmt_seconds(ha_recovered)} after (maxconn derived "
                       f"from the limit)",
            "expect": "< 0.5 cores, < 20 log lines, answered within 5 s, no backend marked down"}


def fmt_seconds(value):
    return "never (30 s)" if value is None else f"{value:.2f} s"


def exp_flood(suite):
    """More clients than maxConnections: refusals logged a few lines with counts, not one each."""
    flood = 500 if suite.quick else 5000
    proc, _, log = suite.protowrap("flood", pw_config(wrapper("web", "http", PW_PORT, bench.NGINX_PORT,
                                                              "maxConnections: 100\nmaxConnectionsPerClient: 0")),
                                   PW_PORT)
    time.sleep(1)
    before = line_count(log)
    socks = []
    for _ in range(flood):
        try:
            socks.append(socket.create_connection(("127.0.0.1", PW_PORT), timeout=2))
        except OSError:
            pass
    time.sleep(2)
    lines = line_count(log) - before
    for s in socks:
        s.close()
    answered = wait_for_get(PW_PORT, 10)
    stop(proc)
    return {"ok": lines <= 10 and answered is not None,
            "figure": f"{flood:,} clients over maxConnections 100: {lines} log lines; a request answered "
                      f"{fmt_seconds(answered)} after",
            "haproxy": "n/a (HAProxy queues over maxconn and logs nothing by default)",
            "expect": "<= 10 log lines (rate-limited with counts); served again at once"}


# ---------------------------------------------------------------- random bytes

def random_client(port, count, rng):
    for _ in range(count):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(rng.randbytes(rng.randint(1, 4096)))
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
        except OSError:
            pass


def exp_random_bytes(suite):
    per_protocol = 600 if suite.quick else 5000
    sink_proc = suite.start("random-sink", ["/usr/sbin/smtp-sink", *bench.sink_user(), "-c",
                                            f"127.0.0.1:{SINK1_PORT}", "512"], SINK1_PORT)
    yaml = pw_config(wrapper("http", "http", PW_PORT, bench.NGINX_PORT),
                     wrapper("smtp", "smtp", PW_PORT2, SINK1_PORT),
                     wrapper("line", "line", PW_PORT3, bench.NGINX_PORT))
    proc, _, log = suite.protowrap("random", yaml, PW_PORT)
    time.sleep(1)
    get(PW_PORT)
    fds_before, threads_before = fds(proc.pid), threads(proc.pid)
    start = time.monotonic()
    workers = [threading.Thread(target=random_client, args=(port, per_protocol // 4, random.Random(seed)))
               for port in (PW_PORT, PW_PORT2, PW_PORT3) for seed in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - start
    time.sleep(3)
    fds_after, threads_after = fds(proc.pid), threads(proc.pid)
    answered = get(PW_PORT)
    text = open(log, errors="replace").read()
    traces = sum(1 for line in text.splitlines() if line.startswith("\tat ") or "Exception" in line)
    stop(proc)
    stop(sink_proc)
    ok = traces == 0 and fds_after <= fds_before + 8 and threads_after <= threads_before + 2 and answered == 200
    return {"ok": ok,
            "figure": f"{3 * per_protocol:,} connections of random bytes into http, smtp and line in {elapsed:.0f} s: "
                      f"{traces} stack-trace lines, fds {fds_before} -> {fds_after}, threads {threads_before} -> "
                      f"{threads_after}, then GET answered {answered}",
            "haproxy": "n/a",
            "expect": "no stack trace; fds and threads flat; still serving"}


# ---------------------------------------------------------------- configuration bombs

def exp_config_bombs(suite):
    workdir = suite.workdir
    scalar_mib = 1 if suite.quick else 5
    head = "allowRoot: true\nwrappers:\n  - name: web\n    protocol: http\n    listenPort: 19199\n"
    bombs = {
        "alias bomb": "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)) + head
        + "    destAddr: *i\n",
        f"{scalar_mib} MB scalar": head + "    destAddr: '" + "x" * (scalar_mib << 20) + "'\n",
        "nesting 10,000 deep": head + "    destAddr: " + "[" * 10000 + "]" * 10000 + "\n",
        "2,000 unknown rules": head + "    destAddr: 127.0.0.1:1\n    rules:\n" + "".join(
            f"      no.such.rule{i}: log\n" for i in range(2000)),
        "alias of a deny list": head.replace("wrappers:", "deny: &deny ['^/admin']\nwrappers:")
        + "    destAddr: 127.0.0.1:1\n    options: {denyPaths: *deny}\n",
    }
    lines, ok = [], True
    for name, text in bombs.items():
        path = workdir / "bomb.yaml"
        path.write_text(text)
        start = time.monotonic()
        try:
            proc = subprocess.run([PROTOWRAP, "check", "--config", str(path)], capture_output=True, timeout=60)
            code, output = proc.returncode, len(proc.stdout) + len(proc.stderr)
        except subprocess.TimeoutExpired:
            code, output = "timeout", 0
        elapsed = time.monotonic() - start
        lines.append(f"{name}: exit {code} in {elapsed:.1f} s, {output:,} bytes of output")
        ok = ok and code == 2 and elapsed < 10 and output < 256 * 1024
    return {"ok": ok, "figure": "; ".join(lines), "haproxy": "n/a",
            "expect": "each refused (exit 2) within 10 s with < 256 KiB of output; an alias is never read as a string"}


EXPERIMENTS = {
    "reload-keepalive": (lambda s: exp_reload(s, close=False), True),
    "reload-close": (lambda s: exp_reload(s, close=True), True),
    "drain-idle": (lambda s: exp_drain(s, busy=False), True),
    "drain-busy": (lambda s: exp_drain(s, busy=True), True),
    "smtp-no-loss": (exp_smtp, True),
    "backend-faults": (exp_backend_faults, False),
    "slowloris": (exp_slowloris, False),
    "idle-connections": (exp_idle, False),
    "fd-exhaustion": (exp_fd_exhaustion, True),
    "flood": (exp_flood, True),
    "random-bytes": (exp_random_bytes, True),
    "config-bombs": (exp_config_bombs, True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the small, fast subset with smaller counts")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (configurations, logs)")
    parser.add_argument("experiments", nargs="*", help="run only these (default: all, or the quick ones)")
    args = parser.parse_args()
    if args.list:
        for name, (_, quick) in EXPERIMENTS.items():
            print(f"{name}{'' if quick else '  (full run only)'}")
        return 0
    unknown = [e for e in args.experiments if e not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment(s) {', '.join(unknown)}; see --list")
    chosen = args.experiments or [n for n, (_, quick) in EXPERIMENTS.items() if quick or not args.quick]

    workdir = Path(tempfile.mkdtemp(prefix="protowrap-reliability-"))
    workdir.chmod(0o755)  # smtp-sink, running as nobody, writes its dumps below it
    suite = Suite(workdir, args.quick)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    rows = []
    try:
        bench.make_certificate(workdir)  # the benchmark's nginx also serves TLS, with this certificate
        nginx = bench.nginx_config(workdir).replace(
            f"listen 127.0.0.1:{bench.NGINX_PORT} backlog=4096;",
            f"listen 127.0.0.1:{bench.NGINX_PORT} backlog=4096; listen 127.0.0.1:{NGINX2_PORT} backlog=4096;")
        (workdir / "nginx.conf").write_text(nginx)
        suite.start("nginx", ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], bench.NGINX_PORT)
        for name in chosen:
            start = time.monotonic()
            try:
                result = EXPERIMENTS[name][0](suite)
            except (Exception, SystemExit) as e:  # one broken experiment must not hide the others' results
                result = {"ok": False, "figure": f"experiment failed: {type(e).__name__}: {e}", "haproxy": "",
                          "expect": ""}
            finally:
                for _, proc in suite.services.processes[1:]:
                    stop(proc, seconds=5)
                del suite.services.processes[1:]
            verdict = "PASS" if result["ok"] else "FAIL"
            print(f"{verdict} {name} ({time.monotonic() - start:.0f} s): {result['figure']}"
                  f"{' | HAProxy: ' + result['haproxy'] if result['haproxy'] else ''}", flush=True)
            rows.append((name, verdict, result))
    finally:
        suite.services.stop_all()
        if args.keep:
            print(f"logs and configurations kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("| experiment | result | ProtoWrap | HAProxy | expected |")
    print("| --- | --- | --- | --- | --- |")
    for name, verdict, r in rows:
        print(f"| {name} | {verdict} | {r['figure']} | {r['haproxy']} | {r['expect']} |")
    return 0 if all(v == "PASS" for _, v, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
