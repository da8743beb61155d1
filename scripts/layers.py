#!/usr/bin/env python3
"""layers.py: the #include edges between the parts of daemon/, and no cycle.

Usage: layers.py [--edges] [DAEMON_DIR]

Each folder of daemon/ (util, engine, store, common, gateway, daemon, cli)
is a part.  Every `#include "x.h"` in a part's .c and .h files is an edge
from that part to the part holding x.h (its own folder first; version.h is
made from common/version.h.in).  Fails (exit 1) when:

  - the edges make a cycle (a part that, through others, includes itself):
    the cycle is printed with a file and line for each edge;
  - an included header is in no part, or in two (the include directories
    would pick one silently);
  - a .c or .h file lies in daemon/ itself, outside every part.

--edges prints every edge between parts with how many includes make it.
The CTest test `layers` runs it (daemon/CMakeLists.txt has the intended
order; docs/architecture.md the map).
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Headers made at build time, and the part that makes them.
GENERATED = {"version.h": "common"}


def parts_of(root):
    parts = {}
    loose = []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(path):
            files = sorted(
                f for f in os.listdir(path)
                if f.endswith((".c", ".h")) and
                os.path.isfile(os.path.join(path, f)))
            if files:
                parts[name] = files
        elif name.endswith((".c", ".h")):
            loose.append(name)
    return parts, loose


def edges_of(root, parts):
    """{(from, to): [(file, line, header)]} and a list of problems."""
    where = {}
    problems = []
    for part, files in parts.items():
        for f in files:
            if f.endswith(".h"):
                where.setdefault(f, []).append(part)
    for header, owners in sorted(where.items()):
        if len(owners) > 1:
            problems.append("%s is in %s: one part only" %
                            (header, " and ".join(owners)))
    edges = {}
    for part, files in parts.items():
        for f in files:
            path = os.path.join(root, part, f)
            with open(path, encoding="utf-8", errors="replace") as fp:
                text = fp.read()
            for m in INCLUDE.finditer(text):
                header = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                if header in files:
                    to = part
                elif header in GENERATED:
                    to = GENERATED[header]
                elif header in where:
                    to = where[header][0]
                else:
                    problems.append("%s/%s:%d: %s is in no part" %
                                    (part, f, line, header))
                    continue
                if to != part:
                    edges.setdefault((part, to), []).append(
                        ("%s/%s" % (part, f), line, header))
    return edges, problems


def find_cycle(nodes, edges):
    """A list of parts [a, b, ..., a] that includes itself, or None."""
    succ = {n: sorted({t for (f, t) in edges if f == n}) for n in nodes}
    state = {n: 0 for n in nodes}  # 0 new, 1 on the path, 2 done
    path = []

    def visit(n):
        state[n] = 1
        path.append(n)
        for t in succ[n]:
            if state[t] == 1:
                return path[path.index(t):] + [t]
            if state[t] == 0:
                found = visit(t)
                if found:
                    return found
        path.pop()
        state[n] = 2
        return None

    for n in sorted(nodes):
        if state[n] == 0:
            found = visit(n)
            if found:
                return found
    return None


def main(argv):
    show = "--edges" in argv
    args = [a for a in argv if a != "--edges"]
    root = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "daemon")
    parts, loose = parts_of(root)
    if not parts:
        print("layers: no parts (folders with .c or .h files) in %s" % root)
        return 1
    edges, problems = edges_of(root, parts)
    for f in loose:
        problems.append("daemon/%s is in no part: move it into a folder" % f)
    if show:
        for (f, t), uses in sorted(edges.items()):
            print("%-8s -> %-8s %3d  (%s:%d %s)" %
                  (f, t, len(uses), uses[0][0], uses[0][1], uses[0][2]))
    cycle = find_cycle(parts.keys(), edges)
    if cycle:
        problems.append("cycle: " + " -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            use = edges[(a, b)][0]
            problems.append("  %s -> %s: %s:%d includes %s" %
                            (a, b, use[0], use[1], use[2]))
    for p in problems:
        print("layers: " + p)
    if problems:
        return 1
    print("layers: %d parts, %d edges between them, no cycle" %
          (len(parts), len(edges)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
