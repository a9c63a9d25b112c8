#!/usr/bin/env python3
"""ProtoWrap's benchmark harness.

Starts everything on loopback (nginx as the HTTP backend, smtp-sink as the SMTP backend, HAProxy,
ProtoWrap from the runtime image), runs each case against each system, alternating the systems
run by run, and prints a table of medians with the ratio to HAProxy and to a direct connection,
all from the same run. Stops everything it started, also on Ctrl-C.

Systems:
  direct          the backend itself
  haproxy-tcp     HAProxy, mode tcp
  haproxy-http    HAProxy, mode http (HTTP cases)
  protowrap-line  ProtoWrap with the `line` validator (HTTP cases 1-2)
  protowrap-http  ProtoWrap with the `http` validator (HTTP cases)
  protowrap-http-ops  the same as a second process with what an operator turns on: logLevel 2 (an
                  access line per request and per connection, to a file), the admin endpoint, and
                  /metrics scraped every second (cases 1 and 2)
  protowrap-smtp  ProtoWrap with the `smtp` validator (case 4)

Case 9 starts a fresh HAProxy (mode http) and a fresh ProtoWrap (`http`) for each run, opens
--clients keep-alive connections to it, sends one request on each, then sends --client-rate requests
per second in all, spread evenly over the connections, for --duration seconds; it reports the p99
latency, measured from when each request was due (so a stall cannot hide the requests it delays),
and the growth of the proxy's resident memory per connection.
  haproxy-https   HAProxy, mode http, terminating TLS with OpenSSL (HTTPS cases 7-8)
  protowrap-https ProtoWrap with the `http` validator, terminating TLS with its defaults (HTTPS cases 7-8)

In the HTTPS cases `direct` is nginx terminating TLS itself (OpenSSL), and every system serves
the same EC P-256 certificate, made with openssl at the start.
"""

import argparse
import json
import os
import selectors
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGE = ROOT / "protowrap-dist" / "target" / "protowrap"

NGINX_PORT = 18080
HAPROXY_TCP_PORT = 18081
HAPROXY_HTTP_PORT = 18082
PROTOWRAP_LINE_PORT = 18083
PROTOWRAP_HTTP_PORT = 18084
PROTOWRAP_OPS_PORT = 18086
PROTOWRAP_ADMIN_PORT = 18404
SINK_PORT = 12525
HAPROXY_SMTP_PORT = 12526
PROTOWRAP_SMTP_PORT = 12527
NGINX_TLS_PORT = 18443
HAPROXY_HTTPS_PORT = 18444
PROTOWRAP_HTTPS_PORT = 18445
IDLE_PORT = 18098
STARTUP_PORT = 18099
UPLOAD_BODY = 1 << 20  # bytes per upload request

HTTP_PORTS = {
    "direct": NGINX_PORT,
    "haproxy-tcp": HAPROXY_TCP_PORT,
    "haproxy-http": HAPROXY_HTTP_PORT,
    "protowrap-line": PROTOWRAP_LINE_PORT,
    "protowrap-http": PROTOWRAP_HTTP_PORT,
    "protowrap-http-ops": PROTOWRAP_OPS_PORT,
}
HTTPS_PORTS = {"direct": NGINX_TLS_PORT, "haproxy-https": HAPROXY_HTTPS_PORT, "protowrap-https": PROTOWRAP_HTTPS_PORT}
SMTP_PORTS = {"direct": SINK_PORT, "haproxy-tcp": HAPROXY_SMTP_PORT, "protowrap-smtp": PROTOWRAP_SMTP_PORT}


def shift_ports(offset):
    """Moves every port by offset, so that a second run on the same machine does not meet the first."""
    names = [name for name in globals() if name.endswith("_PORT")]
    for name in names:
        globals()[name] += offset
    for ports in (HTTP_PORTS, HTTPS_PORTS, SMTP_PORTS):
        for system in ports:
            ports[system] += offset


class Services:
    """Every process the harness started, stopped in reverse order."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.processes = []

    def start(self, name, argv, ready_port=None, **kwargs):
        if ready_port is not None and port_taken(ready_port):
            raise SystemExit(f"port {ready_port} is taken before {name} started: another run on this machine? "
                             f"(--port-offset moves every port)")
        log = open(self.workdir / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        self.processes.append((name, proc))
        if ready_port is not None and not wait_for_port(ready_port, 20):
            raise SystemExit(f"{name} did not start listening on {ready_port}; see {log.name}")
        return proc

    def stop_all(self):
        for name, proc in reversed(self.processes):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        self.processes.clear()


def port_taken(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for_port(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.005)
    return False


def sink_user():
    """smtp-sink refuses to run as root unless told which user to become."""
    return ["-u", "nobody"] if os.geteuid() == 0 else []


def nginx_config(workdir):
    return f"""
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
worker_rlimit_nofile 65536;
events {{ worker_connections 45000; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    server {{
        listen 127.0.0.1:{NGINX_PORT} backlog=4096;
        location /small {{ return 200 "a small response from the nginx backend, 64 bytes of body....\\n"; }}
        location /upload {{ client_max_body_size 0; return 200 "received\\n"; }}
    }}
    server {{
        listen 127.0.0.1:{NGINX_TLS_PORT} ssl backlog=4096;
        ssl_certificate {workdir}/bench.pem;
        ssl_certificate_key {workdir}/bench.key;
        location /small {{ return 200 "a small response from the nginx backend, 64 bytes of body....\\n"; }}
    }}
}}
"""


def haproxy_config(workdir):
    return f"""
global
    maxconn 9000
    nbthread 2
defaults
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    maxconn 9000
frontend tcp_front
    mode tcp
    bind 127.0.0.1:{HAPROXY_TCP_PORT}
    default_backend tcp_back
backend tcp_back
    mode tcp
    server nginx 127.0.0.1:{NGINX_PORT}
frontend http_front
    mode http
    option http-keep-alive
    bind 127.0.0.1:{HAPROXY_HTTP_PORT}
    default_backend http_back
backend http_back
    mode http
    server nginx 127.0.0.1:{NGINX_PORT}
frontend smtp_front
    mode tcp
    bind 127.0.0.1:{HAPROXY_SMTP_PORT}
    default_backend smtp_back
backend smtp_back
    mode tcp
    server sink 127.0.0.1:{SINK_PORT}
frontend https_front
    mode http
    option http-keep-alive
    bind 127.0.0.1:{HAPROXY_HTTPS_PORT} ssl crt {workdir}/bench.crt-and-key.pem alpn http/1.1
    default_backend http_back
"""


def protowrap_config(workdir):
    # logLevel 1: no line per connection, as HAProxy without a `log` directive.
    return f"""
logLevel: 1
allowRoot: true
wrappers:
  - name: http-line
    protocol: line
    listenAddr: 127.0.0.1
    listenPort: {PROTOWRAP_LINE_PORT}
    destAddr: 127.0.0.1:{NGINX_PORT}
    maxLineLength: 8192
    testReply: false
  - name: http
    protocol: http
    listenAddr: 127.0.0.1
    listenPort: {PROTOWRAP_HTTP_PORT}
    destAddr: 127.0.0.1:{NGINX_PORT}
  - name: smtp
    protocol: smtp
    listenAddr: 127.0.0.1
    listenPort: {PROTOWRAP_SMTP_PORT}
    destAddr: 127.0.0.1:{SINK_PORT}
  - name: https
    protocol: http
    listenAddr: 127.0.0.1
    listenPort: {PROTOWRAP_HTTPS_PORT}
    destAddr: 127.0.0.1:{NGINX_PORT}
    tls: {{certificate: {workdir}/bench.pem, key: {workdir}/bench.key}}
"""


def protowrap_ops_config():
    # What an operator runs with: a line per request and per connection, and the admin endpoint.
    return f"""
logLevel: 2
allowRoot: true
admin: {{listenAddr: 127.0.0.1, listenPort: {PROTOWRAP_ADMIN_PORT}}}
wrappers:
  - name: http-ops
    protocol: http
    listenAddr: 127.0.0.1
    listenPort: {PROTOWRAP_OPS_PORT}
    destAddr: 127.0.0.1:{NGINX_PORT}
"""


def scrape_metrics(stop, port=None):
    """Reads /metrics once a second, as a Prometheus server would, until told to stop."""
    while not stop.wait(1.0):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port or PROTOWRAP_ADMIN_PORT}/metrics", timeout=5) as reply:
                reply.read()
        except OSError:
            pass


def make_certificate(workdir):
    """A self-signed EC P-256 certificate for localhost, as PEM files nginx, HAProxy and ProtoWrap read."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(workdir / "bench.key"), "-out", str(workdir / "bench.pem"), "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    (workdir / "bench.crt-and-key.pem").write_text((workdir / "bench.pem").read_text()
                                                   + (workdir / "bench.key").read_text())


WRK_LUA_UPLOAD = f"""
wrk.method = "POST"
wrk.body = string.rep("x", {UPLOAD_BODY})
wrk.headers["Content-Type"] = "application/octet-stream"
"""


def parse_wrk(text):
    """Requests per second, p99 latency in ms, request count and socket errors from wrk --latency."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    error_count = sum(int(g) for g in errors.groups()) if errors else 0
    error_count += int(non2xx.group(1)) if non2xx else 0
    return {"rate": rps, "p99": float(p99.group(1)) * scale, "requests": requests, "errors": error_count}


def run_wrk(port, duration, connections, path="/small", extra=(), scheme="http"):
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *extra, f"{scheme}://127.0.0.1:{port}{path}"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    return parse_wrk(out)


def case_keepalive(system, args, workdir):
    return run_wrk(HTTP_PORTS[system], args.duration, 50)


def case_close(system, args, workdir):
    return run_wrk(HTTP_PORTS[system], args.duration, 50, extra=("-H", "Connection: close"))


def case_https_handshakes(system, args, workdir):
    """With Connection: close every request is a new connection and a new TLS handshake."""
    return run_wrk(HTTPS_PORTS[system], args.duration, 50, extra=("-H", "Connection: close"), scheme="https")


def case_https_keepalive(system, args, workdir):
    return run_wrk(HTTPS_PORTS[system], args.duration, 50, scheme="https")


def case_upload(system, args, workdir):
    script = workdir / "upload.lua"
    script.write_text(WRK_LUA_UPLOAD)
    result = run_wrk(HTTP_PORTS[system], args.duration, 4, path="/upload", extra=("-s", str(script)))
    total = result["requests"] * UPLOAD_BODY
    result["rate"] = total / args.duration / (1 << 20)  # MiB/s
    result["note"] = f"{total / (1 << 30):.1f} GiB"
    return result


def case_smtp(system, args, workdir):
    argv = ["/usr/sbin/smtp-source", "-s", "20", "-m", str(args.messages), "-l", "2048",
            "-f", "bench@example.com", "-t", "sink@example.com", f"127.0.0.1:{SMTP_PORTS[system]}"]
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    errors = 0 if proc.returncode == 0 else 1
    return {"rate": args.messages / elapsed, "p99": None, "errors": errors,
            "note": proc.stderr.strip()[:60] if errors else ""}


MANY_PORT = 18097
MANY_REQUEST = b"GET /small HTTP/1.1\r\nHost: bench\r\n\r\n"


def case_many_clients(system, args, workdir):
    """Many keep-alive clients at a fixed request rate, against a fresh process of each system."""
    config = workdir / "many.yaml"
    config.write_text(f"allowRoot: true\nlogLevel: 1\nwrappers:\n  - name: many\n    protocol: http\n"
                      f"    listenAddr: 127.0.0.1\n    listenPort: {MANY_PORT}\n    destAddr: 127.0.0.1:{NGINX_PORT}\n"
                      f"    maxConnections: {args.clients + 100}\n    maxConnectionsPerClient: 0\n"
                      f"    idleTimeout: 10m\n    requestTimeout: 10m\n")
    (workdir / "many.cfg").write_text(f"global\n    maxconn {args.clients + 100}\n    nbthread 2\ndefaults\n"
                                      f"    mode http\n    timeout connect 5s\n    timeout client 10m\n"
                                      f"    timeout server 10m\n    maxconn {args.clients + 100}\n    option http-keep-alive\n"
                                      f"listen many\n    bind 127.0.0.1:{MANY_PORT}\n    server n 127.0.0.1:{NGINX_PORT}\n")
    argv = {"protowrap-http": [str(IMAGE / "bin" / "protowrap"), "run", "--config", str(config)],
            "haproxy-http": ["haproxy", "-db", "-f", str(workdir / "many.cfg")]}[system]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    sockets = []
    try:
        if not wait_for_port(MANY_PORT, 20):
            return {"rate": None, "p99": None, "errors": 1}
        pids = [proc.pid] + children(proc.pid)
        # a tenth of the clients first, served for a few seconds, so that what a process grows once
        # (compiled code, pools, a young generation touched) is in `before`, not in the per-connection figure
        first = args.clients // 10
        warm_rate = min(args.client_rate * 5, 10000)
        errors = 0
        closed = 0
        for count in (first, args.clients - first):
            opened = open_clients(MANY_PORT, count)
            sockets.extend(opened)
            warm = drive_requests(opened, warm_rate, count / warm_rate + 1, limit=count)
            errors += warm["errors"]
            closed += warm["closed"]
            if count == first:
                warm = drive_requests(sockets, min(args.client_rate, first), 3)
                errors += warm["errors"]
                closed += warm["closed"]
                time.sleep(1)
                before = rss_kib(pids)
        time.sleep(1)
        connected = rss_kib(pids)
        measured = drive_requests(sockets, args.client_rate, args.duration)
        latencies = sorted(measured["latencies"])
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else None
        per_connection = (connected - before) / (args.clients - first)
        return {"rate": p99, "p99": p99, "errors": errors + measured["errors"],
                "rss_kib_per_connection": per_connection, "requests": len(latencies),
                "note": f"{args.clients} clients, RSS {before} -> {connected} KiB, {per_connection:.1f} KiB/conn, "
                        f"{len(latencies) / args.duration:,.0f} req/s, "
                        f"{closed + measured['closed']} connection(s) closed by the proxy"}
    finally:
        for s in sockets:
            s.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def open_clients(port, count):
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        opened.append(s)
    return opened


def drive_requests(sockets, rate, seconds, limit=None):
    """Sends `rate` requests a second for `seconds`, to the connections in turn, and times each response
    from the moment its request was due. A connection still waiting for its previous response when
    its turn comes is counted as an error and skipped. At most `limit` requests, if given."""
    selector = selectors.DefaultSelector()
    for index, s in enumerate(sockets):
        selector.register(s, selectors.EVENT_READ, index)
    due = {}
    received = {}
    latencies = []
    errors = 0
    closed = 0
    interval = 1.0 / rate
    start = time.monotonic()
    end = start + seconds
    next_due = start
    turn = 0
    try:
        while True:
            now = time.monotonic()
            while next_due <= now and next_due < end and (limit is None or turn < limit):
                index = turn % len(sockets)
                turn += 1
                if index in due:
                    errors += 1
                else:
                    try:
                        sockets[index].send(MANY_REQUEST)
                        due[index] = next_due
                    except OSError:
                        errors += 1
                next_due += interval
            if (next_due >= end or turn == limit) and not due:
                break
            if now > end + 10:
                errors += len(due)
                break
            wake = next_due if next_due < end else end + 10
            for key, _ in selector.select(max(0.0, wake - time.monotonic())):
                index = key.data
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    selector.unregister(key.fileobj)
                    closed += 1
                    errors += 1 + (1 if due.pop(index, None) is not None else 0)
                    continue
                buffer = received.pop(index, b"") + data
                head_end = buffer.find(b"\r\n\r\n")
                length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", buffer[:head_end]) if head_end >= 0 else None
                if length is None or len(buffer) < head_end + 4 + int(length.group(1)):
                    received[index] = buffer
                    continue
                if index in due:
                    latencies.append(time.monotonic() - due.pop(index))
    finally:
        selector.close()
    return {"latencies": latencies, "errors": errors, "closed": closed}


def rss_kib(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def hold_idle_connections(port, count):
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", port))
        sockets.append(s)
    return sockets


def case_memory(system, args, workdir):
    """A fresh process of each system, so that what earlier cases grew does not hide the growth."""
    port = IDLE_PORT
    config = workdir / "idle.yaml"
    config.write_text(f"allowRoot: true\nlogLevel: 0\nwrappers:\n  - name: idle\n    protocol: line\n"
                      f"    listenAddr: 127.0.0.1\n    listenPort: {port}\n    destAddr: 127.0.0.1:{NGINX_PORT}\n"
                      f"    maxConnections: 100000\n    maxConnectionsPerClient: 0\n"
                      f"    idleTimeout: 10m\n    requestTimeout: 10m\n")
    (workdir / "idle.cfg").write_text(f"global\n    maxconn 9000\ndefaults\n    mode tcp\n    timeout connect 5s\n"
                                      f"    timeout client 10m\n    timeout server 10m\n    maxconn 9000\n"
                                      f"listen idle\n    bind 127.0.0.1:{port}\n    server n 127.0.0.1:{NGINX_PORT}\n")
    argv = {"protowrap-line": [str(IMAGE / "bin" / "protowrap"), "run", "--config", str(config)],
            "haproxy-tcp": ["haproxy", "-db", "-f", str(workdir / "idle.cfg")]}[system]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not wait_for_port(port, 20):
            return {"rate": None, "p99": None, "errors": 1}
        time.sleep(1)
        pids = [proc.pid] + children(proc.pid)
        before = rss_kib(pids)
        sockets = hold_idle_connections(port, args.idle)
        time.sleep(2)
        after = rss_kib(pids)
        for s in sockets:
            s.close()
        return {"rate": (after - before) / args.idle, "p99": None, "errors": 0,
                "note": f"RSS {before} -> {after} KiB"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def case_startup(system, args, workdir):
    config = workdir / "startup.yaml"
    config.write_text(f"allowRoot: true\nlogLevel: 0\nwrappers:\n  - name: s\n    protocol: line\n"
                      f"    listenAddr: 127.0.0.1\n    listenPort: {STARTUP_PORT}\n    destAddr: 127.0.0.1:{NGINX_PORT}\n")
    argv = {"protowrap-line": [str(IMAGE / "bin" / "protowrap"), "run", "--config", str(config)],
            "haproxy-tcp": ["haproxy", "-db", "-f", str(workdir / "startup.cfg")]}[system]
    (workdir / "startup.cfg").write_text(f"defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n"
                                         f"    timeout server 1s\nlisten s\n    bind 127.0.0.1:{STARTUP_PORT}\n"
                                         f"    server n 127.0.0.1:{NGINX_PORT}\n")
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    ready = wait_for_port(STARTUP_PORT, 20)
    elapsed = (time.monotonic() - start) * 1000
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)
    return {"rate": elapsed, "p99": None, "errors": 0 if ready else 1}


LOWER_IS_BETTER = {5, 6, 9}

CASES = {
    1: ("HTTP keep-alive, small responses (wrk -t1 -c50)", "req/s",
        ["direct", "haproxy-tcp", "haproxy-http", "protowrap-line", "protowrap-http", "protowrap-http-ops"],
        case_keepalive),
    2: ("HTTP, new connection per request (Connection: close)", "req/s",
        ["direct", "haproxy-tcp", "haproxy-http", "protowrap-line", "protowrap-http", "protowrap-http-ops"],
        case_close),
    3: ("HTTP upload, 1 MiB bodies (wrk -c4)", "MiB/s",
        ["direct", "haproxy-tcp", "haproxy-http", "protowrap-http"], case_upload),
    4: ("SMTP, smtp-source -s 20 -l 2048 to smtp-sink", "msg/s",
        ["direct", "haproxy-tcp", "protowrap-smtp"], case_smtp),
    5: ("Memory per idle client connection", "KiB/conn", ["haproxy-tcp", "protowrap-line"], case_memory),
    6: ("Start-up: launch to first accepted connection", "ms", ["haproxy-tcp", "protowrap-line"], case_startup),
    7: ("HTTPS, full TLS handshake per request (wrk -c50, Connection: close)", "req/s",
        ["direct", "haproxy-https", "protowrap-https"], case_https_handshakes),
    8: ("HTTPS keep-alive, small responses (wrk -t1 -c50)", "req/s",
        ["direct", "haproxy-https", "protowrap-https"], case_https_keepalive),
    9: ("Many keep-alive clients at a fixed rate (--clients, --client-rate): p99 latency", "ms",
        ["haproxy-http", "protowrap-http"], case_many_clients),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each case per system (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--messages", type=int, default=20000, help="messages per SMTP run (default 20000)")
    parser.add_argument("--idle", type=int, default=5000, help="idle connections for the memory case (default 5000)")
    parser.add_argument("--clients", type=int, default=20000, help="keep-alive connections in case 9 (default 20000)")
    parser.add_argument("--client-rate", type=int, default=2000,
                        help="requests per second in all in case 9 (default 2000)")
    parser.add_argument("--cases", default="1,2,3,4,5,6",
                        help="comma-separated case numbers (cases 7, 8 and 9 run only when named)")
    parser.add_argument("--systems", default="", help="only these systems (comma-separated)")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the untimed warm-up run of each throughput case on each system")
    parser.add_argument("--port-offset", type=int, default=0,
                        help="add this to every port (to keep clear of another run on the same machine)")
    parser.add_argument("--skip-build", action="store_true", help="(handled by bench/run)")
    parser.add_argument("--results", type=Path,
                        help="also write every run's figures to this JSON file (bench/charts draws from it)")
    args = parser.parse_args()
    cases = [int(c) for c in args.cases.split(",")]
    if 9 in cases:
        import resource
        descriptors = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        # the proxy holds a client and a server socket per connection, and keeps some in reserve
        fitting = (descriptors - 1000) // 2
        if args.clients > fitting:
            print(f"case 9: {descriptors} descriptors per process allow {fitting} clients, not {args.clients}; "
                  f"running {fitting}", file=sys.stderr)
            args.clients = fitting
    only = set(filter(None, args.systems.split(",")))
    shift_ports(args.port_offset)

    workdir = Path(tempfile.mkdtemp(prefix="protowrap-bench-"))
    services = Services(workdir)
    scraping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        make_certificate(workdir)
        (workdir / "nginx.conf").write_text(nginx_config(workdir))
        (workdir / "haproxy.cfg").write_text(haproxy_config(workdir))
        (workdir / "protowrap.yaml").write_text(protowrap_config(workdir))
        services.start("nginx", ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], NGINX_PORT)
        services.start("smtp-sink", ["/usr/sbin/smtp-sink", *sink_user(), "-c", f"127.0.0.1:{SINK_PORT}", "2048"], SINK_PORT)
        if not only or any(s.startswith("haproxy") for s in only):
            services.start("haproxy", ["haproxy", "-db", "-f", str(workdir / "haproxy.cfg")], HAPROXY_TCP_PORT)
        if not only or any(s.startswith("protowrap") for s in only):
            services.start("protowrap", [str(IMAGE / "bin" / "protowrap"), "run", "--config",
                                         str(workdir / "protowrap.yaml")], PROTOWRAP_HTTP_PORT)
        if not only or "protowrap-http-ops" in only:
            (workdir / "protowrap-ops.yaml").write_text(protowrap_ops_config())
            services.start("protowrap-ops", [str(IMAGE / "bin" / "protowrap"), "run", "--config",
                                             str(workdir / "protowrap-ops.yaml")], PROTOWRAP_OPS_PORT)
            threading.Thread(target=scrape_metrics, args=(scraping,), daemon=True).start()
        if args.warmup:
            warm_up(cases, only, args, workdir)
        results = {}
        for round_number in range(args.rounds):
            for case in cases:
                title, unit, systems, run = CASES[case]
                order = [s for s in systems if not only or s in only]
                random.Random(round_number * 31 + case).shuffle(order)
                for system in order:
                    result = run(system, args, workdir)
                    results.setdefault((case, system), []).append(result)
                    print(f"round {round_number + 1} case {case} {system}: {result}", file=sys.stderr, flush=True)
        print_table(results, cases, only)
        if args.results:
            write_results(args.results, results, cases, args)
    finally:
        scraping.set()
        services.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def warm_up(cases, only, args, workdir):
    """One short untimed run of each throughput case on each system, so that every system is measured
    in its steady state: a JVM compiles its hot code during its first seconds of load. The memory and
    start-up cases start fresh processes and measure them cold on purpose."""
    short = argparse.Namespace(**{**vars(args), "duration": 2, "messages": 2000})
    for case in cases:
        if case in LOWER_IS_BETTER:
            continue
        _, _, systems, run = CASES[case]
        for system in systems:
            if not only or system in only:
                run(system, short, workdir)
                print(f"warm-up case {case} {system}: done", file=sys.stderr, flush=True)


def write_results(path, results, cases, args):
    """Every run of every case and system, with what is needed to draw and to compare them later."""
    document = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rounds": args.rounds,
        "duration": args.duration,
        "cpus": os.cpu_count(),
        "cases": [{"case": case, "title": CASES[case][0], "unit": CASES[case][1],
                   "lower_is_better": case in LOWER_IS_BETTER,
                   "runs": {system: results[(case, system)] for system in CASES[case][2]
                            if (case, system) in results}}
                  for case in cases],
    }
    path.write_text(json.dumps(document, indent=1) + "\n")
    print(f"results written to {path}", file=sys.stderr)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def print_table(results, cases, only):
    print("| case | system | median | p99 ms | vs HAProxy | vs direct | errors | runs |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for case in cases:
        title, unit, systems, _ = CASES[case]
        medians = {s: median([r["rate"] for r in results.get((case, s), [])]) for s in systems}
        for system in systems:
            runs = results.get((case, system))
            if not runs or (only and system not in only):
                continue
            m = medians[system]
            if m is None:
                print(f"| {case}. {title} | {system} | failed | | | | {sum(r['errors'] for r in runs)} | {len(runs)} |")
                continue
            p99 = median([r["p99"] for r in runs])
            reference = {"protowrap-http": "haproxy-http", "protowrap-http-ops": "haproxy-http",
                         "protowrap-https": "haproxy-https"}.get(system, "haproxy-tcp")
            vs_haproxy = ratio(m, medians.get(reference)) if system.startswith("protowrap") else ""
            vs_direct = ratio(m, medians.get("direct")) if "direct" in systems and system != "direct" else ""
            errors = sum(r["errors"] for r in runs)
            note = "; ".join(filter(None, (r.get("note", "") for r in runs[-1:])))
            print(f"| {case}. {title} | {system} | {m:,.1f} {unit} | {'' if p99 is None else f'{p99:.2f}'} "
                  f"| {vs_haproxy} | {vs_direct} | {errors} | {len(runs)}{' (' + note + ')' if note else ''} |")


def ratio(value, reference):
    if value is None or not reference:
        return ""
    return f"{value / reference:.2f}x"


if __name__ == "__main__":
    main()
