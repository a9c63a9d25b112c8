#!/usr/bin/env python3
"""Operations overhead of several builds side by side: the keep-alive case (wrk -t1 -c50) against
each runtime image twice, as protowrap-http (logLevel 1, no admin endpoint) and as
protowrap-http-ops (logLevel 2: an access line per request and per connection, written to a file
through standard error; the admin endpoint, /metrics read every second). Every process is up at
once and the runs are interleaved, shuffled each round, so that a change of load on the machine
falls on all of them alike. Prints the median rate, the median CPU time of the ProtoWrap process
per request (user + system, from /proc), and ops/off ratios for each image.

  python3 bench/compare.py [--rounds N] [--duration S] [--port-offset K] LABEL=IMAGE_DIR ...

e.g. an image built at an earlier commit copied aside, against protowrap-dist/target/protowrap.
Needs nginx and wrk (bench/run installs them).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--port-offset", type=int, default=0, help="as for bench/run")
    parser.add_argument("images", nargs="+", metavar="LABEL=IMAGE_DIR")
    args = parser.parse_args()
    harness.shift_ports(args.port_offset)
    workdir = Path(tempfile.mkdtemp(prefix="protowrap-compare-"))
    services = harness.Services(workdir)
    scraping = threading.Event()
    try:
        (workdir / "nginx.conf").write_text(harness.nginx_config(workdir))
        harness.make_certificate(workdir)
        services.start("nginx", ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], harness.NGINX_PORT)
        systems = start_images(args.images, services, workdir, scraping)
        for port, _ in systems.values():
            harness.run_wrk(port, 3, 50)  # warm-up
        rates = {name: [] for name in systems}
        cpu = {name: [] for name in systems}
        for round_number in range(args.rounds):
            order = list(systems)
            random.Random(round_number).shuffle(order)
            for name in order:
                port, pid = systems[name]
                before = cpu_seconds(pid)
                result = harness.run_wrk(port, args.duration, 50)
                rates[name].append(result["rate"])
                cpu[name].append((cpu_seconds(pid) - before) * 1e6 / max(result["requests"], 1))
                print(f"round {round_number + 1} {name}: {result['rate']:.0f} req/s, {cpu[name][-1]:.1f} us CPU/req, "
                      f"errors {result['errors']}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
        report(args.images, rates, cpu)
    finally:
        scraping.set()
        services.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def start_images(images, services, workdir, scraping):
    """Both processes of each image; returns {name: (port, pid)}."""
    systems = {}
    base = harness.NGINX_PORT + 1000
    for i, spec in enumerate(images):
        label, image = spec.split("=", 1)
        for mode in ("off", "ops"):
            port = base + 10 * i + (0 if mode == "off" else 1)
            admin = base + 10 * i + 5
            config = workdir / f"{label}-{mode}.yaml"
            config.write_text(f"logLevel: {1 if mode == 'off' else 2}\nallowRoot: true\n"
                              + (f"admin: {{listenAddr: 127.0.0.1, listenPort: {admin}}}\n" if mode == "ops" else "")
                              + f"wrappers:\n  - name: http-{mode}\n    protocol: http\n    listenAddr: 127.0.0.1\n"
                              f"    listenPort: {port}\n    destAddr: 127.0.0.1:{harness.NGINX_PORT}\n")
            process = services.start(f"{label}-{mode}", [str(Path(image) / "bin" / "protowrap"), "run", "--config",
                                                          str(config)], port)
            systems[f"{label}-{mode}"] = (port, process.pid)  # the launcher execs java: this is the JVM
            if mode == "ops":
                threading.Thread(target=harness.scrape_metrics, args=(scraping, admin), daemon=True).start()
    return systems


def report(images, rates, cpu):
    print("| system | median req/s | median us CPU/req | runs (req/s) |")
    print("| --- | ---: | ---: | --- |")
    for name in rates:
        print(f"| {name} | {statistics.median(rates[name]):,.0f} | {statistics.median(cpu[name]):.1f} "
              f"| {', '.join(f'{r:,.0f}' for r in rates[name])} |")
    for spec in images:
        label = spec.split("=", 1)[0]
        off, ops = f"{label}-off", f"{label}-ops"
        per_round = statistics.median(o / f for o, f in zip(rates[ops], rates[off]))
        print(f"{label}: ops/off rate {statistics.median(rates[ops]) / statistics.median(rates[off]):.3f} "
              f"(median of rounds {per_round:.3f}), CPU/req {statistics.median(cpu[ops]) / statistics.median(cpu[off]):.3f}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
