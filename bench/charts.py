"""Draws one PNG per case from a results file written by `bench/run --results FILE`.

Each system is a bar at its median, with a line from its slowest to its fastest run and a dot per
run, so that the spread is as visible as the median. ProtoWrap's systems are blue, HAProxy's orange,
the direct connection grey. Each ProtoWrap bar is labelled with its ratio to the HAProxy system it
is compared with in BENCHMARKS.md, computed from the same medians as the table.

    bench/charts RESULTS.json OUTPUT_DIR
"""

import json
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

COLOURS = {"protowrap": "#1f5fa8", "haproxy": "#e07b00", "direct": "#8c8c8c"}
REFERENCE = {"protowrap-http": "haproxy-http", "protowrap-http-ops": "haproxy-http",
             "protowrap-https": "haproxy-https"}


def colour(system):
    return next((c for prefix, c in COLOURS.items() if system.startswith(prefix)), "#444444")


def reference(system):
    return REFERENCE.get(system, "haproxy-tcp")


def draw(case, meta, output):
    systems = list(case["runs"])
    rates = {s: [r["rate"] for r in case["runs"][s] if r.get("rate") is not None] for s in systems}
    systems = [s for s in systems if rates[s]]
    if not systems:
        return None
    medians = {s: statistics.median(rates[s]) for s in systems}
    lower = case.get("lower_is_better", False)

    figure, axes = plt.subplots(figsize=(8, 0.55 * len(systems) + 1.6), dpi=110)
    positions = range(len(systems))
    axes.barh(positions, [medians[s] for s in systems], color=[colour(s) for s in systems], height=0.6)
    for y, system in zip(positions, systems):
        runs = rates[system]
        axes.plot([min(runs), max(runs)], [y, y], color="black", linewidth=1.2)
        axes.plot(runs, [y] * len(runs), "o", color="black", markersize=3)
        label = f"{medians[system]:,.0f}" if medians[system] >= 100 else f"{medians[system]:.1f}"
        ref = medians.get(reference(system))
        if system.startswith("protowrap") and ref:
            label += f"  ({medians[system] / ref:.2f}x {reference(system)})"
        axes.text(max(runs), y, "  " + label, va="center", fontsize=8)
    axes.set_yticks(list(positions), systems)
    axes.invert_yaxis()
    axes.set_xlim(0, max(max(r) for r in rates.values()) * 1.45)
    axes.set_xlabel(f"{case['unit']} ({'lower' if lower else 'higher'} is better; bar: median, line: "
                    f"slowest to fastest of {max(len(r) for r in rates.values())} runs)", fontsize=8)
    axes.set_title(f"{case['case']}. {case['title']}", fontsize=10, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.text(0.99, 0.01, f"{meta['date']}, {meta['cpus']} CPUs, {meta['duration']} s per run",
                ha="right", fontsize=7, color="#666666")
    figure.tight_layout()
    path = output / f"case-{case['case']}.png"
    figure.savefig(path)
    plt.close(figure)
    return path


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1].strip().replace("bench/charts", "usage: bench/charts"))
    meta = json.loads(Path(sys.argv[1]).read_text())
    output = Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    for case in meta["cases"]:
        path = draw(case, meta, output)
        print(path if path else f"case {case['case']}: no run gave a figure, no chart")


if __name__ == "__main__":
    main()
