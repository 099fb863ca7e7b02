"""RESULTS.md plumbing shared by the benchmark scripts' embedded Python.

Each script (shapes.sh, shard.sh, unpack.sh, train_mnist.sh) writes or replaces its own
`## <stage>` section of Benchmarks/RESULTS.md (or of the file RESULTS names) and leaves the
others as they are; train_mnist.sh also keeps the `### ` subsections of `## train` that a run
did not produce. The scripts cd to the repository root, so their Python imports it with

    sys.path.insert(0, "Benchmarks")
    import results_md
"""

import os
import re


def machine():
    """'<n> CPUs (nproc), <CPU model>', for the sections and the file header."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs (nproc), {cpu}"


def other_cpu(env):
    """How busy the machine was with other work while timing, from lib.sh's cpu_start and
    cpu_end: all busy CPU time minus the CPU time of the script's own children (the timed
    commands). Returns (wall s, other processes' CPU s, their average cores, steal s)."""
    tck = int(env["CLK_TCK"])
    wall = float(env["T1"]) - float(env["T0"])
    busy = (float(env["BUSY1"]) - float(env["BUSY0"])) / tck
    steal = (float(env["STEAL1"]) - float(env["STEAL0"])) / tck
    own = float(env["OWN1"]) - float(env["OWN0"])
    other = max(0.0, busy - own)
    return wall, other, other / wall, steal


def _section_pattern(name):
    # From the `## name` line up to the next `## ` heading or the end of the file.
    return re.compile(rf"^## {re.escape(name)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)


def section(path, name):
    """The `## name` section of the results file as it stands ('' if the file or the section
    is missing)."""
    if not os.path.exists(path):
        return ""
    m = _section_pattern(name).search(open(path).read())
    return m.group(0) if m else ""


def subsection(text, heading):
    """The subsection of text that starts with the line `heading` (a `### ` heading), up to
    the next `### ` heading or the end, ending in one newline; None if text has none."""
    m = re.search(rf"^{re.escape(heading)}[ \t]*$.*?(?=^### |\Z)", text, re.S | re.M)
    return m.group(0).rstrip("\n") + "\n" if m else None


def write_section(path, name, text, machine, today):
    """Replaces the `## name` section of the results file with text (which starts with that
    heading), or appends it; creates the file with a short header if it is missing."""
    if os.path.exists(path):
        results = open(path).read()
    else:
        results = f"""# dsprep benchmark results

Machine: {machine}. File created {today}. Each section records its own date, machine and
the command that reproduces it; `Benchmarks/README.md` describes the scripts.
"""
    pattern = _section_pattern(name)
    if pattern.search(results):
        # One blank line before the next section; none at the end of the file.
        results = pattern.sub(lambda m: text + ("\n" if m.end() < len(results) else ""), results, count=1)
    else:
        results = results.rstrip("\n") + "\n\n" + text
    with open(path, "w") as f:
        f.write(results)
    print(f"updated the '## {name}' section of {path}")
