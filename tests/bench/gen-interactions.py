#!/usr/bin/env python3
"""Writes a synthetic Interactions CSV of about MIB mebibytes to PATH:
USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE with 100,000 users,
50,000 items, three event types, epoch-second timestamps.

    gen-interactions.py PATH MIB
"""
import random
import sys

path, mib = sys.argv[1], int(sys.argv[2])
target = mib << 20
rng = random.Random(7)
events = ["click", "view", "purchase"]
# Blocks of rows made once and repeated with shifted timestamps: the
# file's shape, not its randomness, is what the benchmark needs.
block = []
for i in range(20000):
    block.append("user%d,item%d,%d,%s,%s\n" % (
        rng.randrange(100000), rng.randrange(50000),
        1690000000 + i, events[i % 3], "" if i % 5 else "1.5"))
text = "".join(block).encode()
with open(path, "wb") as f:
    f.write(b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n")
    written = 0
    while written < target:
        f.write(text)
        written += len(text)
