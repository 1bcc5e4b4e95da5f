#!/usr/bin/env python3
"""Prints the machine a benchmark ran on as JSON (stdlib only): UTC date, CPU model, cores, load
average, kernel, and the versions of the tools named on the command line that are installed.

Usage: bench/lib/machine.py [TOOL...]     e.g. bench/lib/machine.py wget wget2 nginx
Read by bench/lib/render.py, which prints it above every generated table.
"""
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys

VERSION_ARGS = {"nginx": ["-v"], "wrk": ["-v"], "httrack": ["--version"], "scrapy": ["version"]}


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(tool):
    if not shutil.which(tool):
        return None
    try:
        p = subprocess.run([tool] + VERSION_ARGS.get(tool, ["--version"]), capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [l.strip() for l in (p.stdout + "\n" + p.stderr).splitlines() if l.strip()]
    return lines[0] if lines else None


def main():
    tools = sys.argv[1:]
    print(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()],
        "kernel": platform.release(),
        "versions": {t: version(t) for t in tools},
    }))


if __name__ == "__main__":
    main()
