# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/run's output: the machine's description, results.json, report.md
(tables ready for docs/benchmarks.md) and PNG plots drawn by gnuplot."""

import datetime
import json
import os
import shutil
import subprocess

BROKERS = ("caudald", "peer")
PLOTS = ["throughput-partitions.png", "rss-partitions.png",
         "throughput-connections.png", "latency.png"]


def _output(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine(data_dir, caudald):
    model, mem = None, None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model, "cpus": os.cpu_count(), "mem_total_kib": mem,
        "uname": _output(["uname", "-srvmo"]),
        "log_dir_fs": _output(["stat", "-f", "-c", "%T", data_dir]),
        "caudald": _output([caudald, "--version"]),
        "librdkafka": _output(["dpkg-query", "-W", "-f", "${Version}", "librdkafka1"]),
        "loadavg_start": loadavg(),
    }


# ---- numbers ----

def fmt(value, unit):
    if value is None:
        return "—"
    if unit == "msg/s":
        return "{:,.0f}".format(value)
    if unit == "KiB":
        return "%.1f MiB" % (value / 1024)
    if unit == "s":
        return "%.3f s" % value
    if unit == "ms":
        return "%.3f" % value
    return "%.1f" % value


def cell(s, unit):
    if not s:
        return "failed"
    if s["n"] == 1:
        return fmt(s["median"], unit)
    return "%s (%s–%s)" % (fmt(s["median"], unit), fmt(s["min"], unit), fmt(s["max"], unit))


def ratio(r):
    if r is None:
        return "—"
    return "%.2f" % r if r >= 0.1 else "%.2g" % r


# ---- markdown ----

def _first_commands(runs):
    cmds = []
    for b in BROKERS:
        if runs.get(b):
            cmd = runs[b][0]["command"]
            bootstrap = cmd.split(" -b ", 1)[1].split()[0]
            cmds.append(cmd.replace(bootstrap, "$" + b.upper()).split("/bench/", 1)[-1])
    return cmds


def _machine_lines(res):
    m = res["machine"]
    return [
        "Machine: %s, %d CPUs, %.1f GiB RAM; `%s`; log dirs on %s." % (
            m["cpu"], m["cpus"], (m["mem_total_kib"] or 0) / 1048576, m["uname"], m["log_dir_fs"]),
        "caudald %s, librdkafka %s; %s. Load average %s at the start, %s at the end." % (
            (m["caudald"] or "?").split()[-1], m["librdkafka"], m["date"],
            m["loadavg_start"], m.get("loadavg_end")),
        "",
        "Command: `%s` (%s; %d run%s per figure, median (min–max); ratio = caudald's "
        "median / the peer's)." % (
            res["invocation"], "quick smoke run, small counts" if res["quick"] else "full run",
            res["runs"], "" if res["runs"] == 1 else "s"),
    ]


def _workload_table(res, workloads):
    """The workloads as a list, then one table of their figures."""
    about, cmds = [], []
    lines = ["| workload | figure | caudald | peer (librdkafka mock) | caudald/peer |",
             "|---|---|---:|---:|---:|"]
    for w in workloads:
        got = res["workloads"].get(w["name"])
        if got is None:
            continue
        n = next((r["messages"] for b in BROKERS for r in got["runs"][b]), None)
        about.append("- `%s`: %s%s." % (w["name"], w["what"], "" if n is None else
                                        "; %s messages in this run" % "{:,}".format(n)))
        label = "`%s`" % w["name"]
        for key, _, _ in w["figures"]:   # the workload's order, not the JSON's
            f = got["figures"][key]
            better = "" if f["higher_is_better"] else ", lower is better"
            lines.append("| %s | %s (%s%s) | %s | %s | %s |" % (
                label, key, f["unit"], better, cell(f["caudald"], f["unit"]),
                cell(f["peer"], f["unit"]), ratio(f["ratio"])))
            label = ""
        cmds += _first_commands(got["runs"])
    return about + [""] + lines, cmds


def _footprint_lines(fp):
    idle = fp.get("idle_rss_kib", {})
    load = fp.get("rss_100_partitions", {})
    st = fp.get("startup_s", {})
    rec = fp.get("recovery") or {}

    def ms(s):
        if not s:
            return "—"
        return "%.1f ms (%.1f–%.1f)" % (s["median"] * 1e3, s["min"] * 1e3, s["max"] * 1e3)

    def peak(b):
        return fmt(load[b]["peak_rss_kib"], "KiB") if b in load else "—"

    rec_label = "%.0f MiB (%.0f MiB on disk)" % (rec.get("produced_bytes", 0) / 1048576,
                                                 rec.get("log_dir_bytes", 0) / 1048576)
    return [
        "| figure | caudald | peer (librdkafka mock) |",
        "|---|---:|---:|",
        "| idle RSS after start | %s | %s |" % (
            fmt(idle.get("caudald"), "KiB"), fmt(idle.get("peer"), "KiB")),
        "| peak RSS, 100 partitions under produce load | %s | %s |" % (
            peak("caudald"), peak("peer")),
        "| start-up to first accepted connection, empty log dir (median of 5) | %s | %s |" % (
            ms(st.get("caudald_empty_dir")), ms(st.get("peer"))),
        "| start-up to first accepted connection, existing log dir (median of 5) | %s | — |" % (
            ms(st.get("caudald_restart"))),
        "| recovery of a %s log after kill -9: ready file / first connection "
        "| %s / %s | no disk |" % (
            rec_label, fmt(rec.get("ready_file_s"), "s"), fmt(rec.get("first_connection_s"), "s")),
    ]


def _scaling_lines(points, what):
    lines = ["| %s | caudald msg/s | peer msg/s | caudald/peer | caudald vs %s 1 | "
             "caudald peak RSS | peer peak RSS |" % (what, what),
             "|---:|---:|---:|---:|---:|---:|---:|"]
    base = None
    for count in sorted(points, key=int):
        f = points[count]["figures"]
        c = f["msgs_per_s"]["caudald"]
        if base is None and c:
            base = c["median"]
        rel = "%.2f" % (c["median"] / base) if c and base else "—"
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            "{:,}".format(int(count)), cell(c, "msg/s"), cell(f["msgs_per_s"]["peer"], "msg/s"),
            ratio(f["msgs_per_s"]["ratio"]), rel,
            fmt((f["peak_rss_kib"]["caudald"] or {}).get("median"), "KiB"),
            fmt((f["peak_rss_kib"]["peer"] or {}).get("median"), "KiB")))
    return lines


def markdown(res, workloads, plots):
    out = ["## Issue 8 suite: %s" % ("smoke run" if res["quick"] else "results"), ""]
    out += _machine_lines(res) + [""]
    lb = res.get("loopback_gbit")
    if lb:
        out += ["Loopback TCP limit in this run (one connection, 1 MiB writes): %s Gbit/s."
                % cell(lb, "Gbit/s"), ""]
    table, cmds = _workload_table(res, workloads)
    if len(table) > 3:
        out += ["### Workloads", ""] + table + [""]
    if "footprint" in res:
        out += ["### Footprint", ""] + _footprint_lines(res["footprint"]) + [""]
    for kind, what in (("partitions", "partitions"), ("connections", "connections")):
        if "scaling_" + kind in res:
            out += ["### Scaling: %s" % kind, ""]
            if kind == "connections":
                out += ["Connections = idle ones (each after one ApiVersions round trip) "
                        "+ the one producing client; produce %s × 100 B, acks=1."
                        % _n(res, kind), ""]
            else:
                out += ["Produce %s × 100 B, acks=1, linger 5 ms, to a topic of that many "
                        "partitions (the client's sticky partitioner)." % _n(res, kind), ""]
            out += _scaling_lines(res["scaling_" + kind], what) + [""]
    if plots:
        out += ["### Plots", ""] + ["![%s](%s)" % (p[:-4], p) for p in plots] + [""]
    if cmds:
        out += ["### Commands", "", "$CAUDALD is caudald's address (`caudald --override "
                "listeners=PLAINTEXT://127.0.0.1:0 --override log.dirs=DIR --override node.id=1 "
                "--ready-file FILE`), $PEER bench-peer's first line; the peer's topics are made by "
                "bench-peer (`create NAME PARTITIONS` on its stdin), hence `--no-create`.", "",
                "```sh"] + cmds + ["```", ""]
    if res.get("errors"):
        out += ["### Errors", ""] + ["- %s" % e.splitlines()[0] for e in res["errors"]] + [""]
    return "\n".join(out)


def _n(res, kind):
    for point in res["scaling_" + kind].values():
        for b in BROKERS:
            if point["runs"][b]:
                return "{:,}".format(point["runs"][b][0]["messages"])
    return "?"


# ---- plots ----

def _median(fig, broker, scale=1.0):
    s = fig.get(broker)
    return "%g" % (s["median"] * scale) if s else "?"


def _write_data(out, res):
    for kind in ("partitions", "connections"):
        points = res.get("scaling_" + kind)
        if not points:
            continue
        with open(os.path.join(out, kind + ".dat"), "w") as f:
            f.write("# %s caudald_msgs peer_msgs caudald_rss_mib peer_rss_mib\n" % kind)
            for count in sorted(points, key=int):
                fig = points[count]["figures"]
                f.write("%s %s %s %s %s\n" % (
                    count, _median(fig["msgs_per_s"], "caudald"),
                    _median(fig["msgs_per_s"], "peer"),
                    _median(fig["peak_rss_kib"], "caudald", 1 / 1024),
                    _median(fig["peak_rss_kib"], "peer", 1 / 1024)))
    lat = res["workloads"].get("latency")
    if lat:
        with open(os.path.join(out, "latency.dat"), "w") as f:
            f.write("# percentile caudald_ms peer_ms\n")
            for key, label in (("p50_ms", "p50"), ("p99_ms", "p99"),
                               ("p999_ms", "p99.9"), ("max_ms", "max")):
                fig = lat["figures"][key]
                f.write('"%s" %s %s\n' % (label, _median(fig, "caudald"), _median(fig, "peer")))


GNUPLOT = """set terminal pngcairo size 800,480 font "sans,10"
set datafile missing "?"
set grid
set key top right
set logscale x 10
set xlabel "{x}"
set title "produce 100 B, acks=1, linger 5 ms: median of the runs"
set output "throughput-{kind}.png"
set ylabel "produce throughput (msg/s)"
set yrange [0:*]
plot "{kind}.dat" using 1:2 with linespoints title "caudald", \\
     "" using 1:3 with linespoints title "peer (librdkafka mock)"
"""
RSS = """set output "rss-partitions.png"
set ylabel "peak RSS under load (MiB)"
plot "partitions.dat" using 1:4 with linespoints title "caudald", \\
     "" using 1:5 with linespoints title "peer (librdkafka mock)"
"""
LATENCY = """set terminal pngcairo size 800,480 font "sans,10"
set datafile missing "?"
set grid y
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y 10
set ylabel "end-to-end latency (ms, log scale)"
set title "end-to-end latency at 10,000 msg/s, 100 B, linger 0: median of the runs"
set output "latency.png"
plot "latency.dat" using 2:xtic(1) title "caudald", "" using 3 title "peer (librdkafka mock)"
"""


def plots(out, res):
    """Draws what the results allow; returns (files, warning or None)."""
    if shutil.which("gnuplot") is None:
        return [], "gnuplot not found (Debian package gnuplot-nox): no plots"
    _write_data(out, res)
    scripts = []
    if "scaling_partitions" in res:
        scripts.append(GNUPLOT.format(kind="partitions", x="partitions") + RSS)
    if "scaling_connections" in res:
        scripts.append(GNUPLOT.format(kind="connections", x="connections"))
    if "latency" in res["workloads"]:
        scripts.append(LATENCY)
    for i, script in enumerate(scripts):
        path = os.path.join(out, "plot-%d.gp" % i)
        with open(path, "w") as f:
            f.write(script)
        p = subprocess.run(["gnuplot", os.path.basename(path)], cwd=out,
                           capture_output=True, text=True)
        if p.returncode != 0:
            return [], "gnuplot failed: %s" % p.stderr.strip()
    return [p for p in PLOTS if os.path.exists(os.path.join(out, p))], None


def write(out, res, workloads):
    os.makedirs(out, exist_ok=True)
    for p in PLOTS:   # no stale plot from an earlier run
        if os.path.exists(os.path.join(out, p)):
            os.remove(os.path.join(out, p))
    files, warning = plots(out, res)
    if warning:
        res.setdefault("warnings", []).append(warning)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(markdown(res, workloads, files))
        for w in res.get("warnings", []):
            f.write("\nNote: %s.\n" % w)
    return [os.path.join(out, n) for n in ["results.json", "report.md"] + files]
