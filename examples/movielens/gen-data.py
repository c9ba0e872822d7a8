#!/usr/bin/env python3
"""Synthetic MovieLens-like data for examples/movielens/pz.yaml.

    gen-data.py OUT_DIR [--users N] [--items N] [--seed N]

Writes OUT_DIR/Interactions/interactions.csv, OUT_DIR/Items/items.csv and
OUT_DIR/Users/users.csv, matching the example's schemas: the layout
pz.dataLocation expects (<dataLocation><DatasetType>/). With --jobs DIR,
also the batch jobs' inputs (JSON lines): DIR/batch/users.json (users to
recommend for) and DIR/segments/items.json (items to find audiences for),
to upload to the bucket's root. Deterministic for
a seed; every user has several interactions, so the data passes Amazon
Personalize's minimums (1,000 interactions, 25 users with 2 or more).
"""
import argparse
import csv
import os
import random

GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi",
          "Thriller", "Documentary", "Animation", "Crime"]
AGES = ["18-24", "25-34", "35-44", "45-54", "55+"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", help="also write the batch jobs' inputs here")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    t0 = 1700000000
    items = []
    os.makedirs(os.path.join(a.out, "Items"), exist_ok=True)
    with open(os.path.join(a.out, "Items", "items.csv"), "w",
              newline="") as f:
        w = csv.writer(f)
        w.writerow(["ITEM_ID", "GENRES", "YEAR", "CREATION_TIMESTAMP"])
        for i in range(a.items):
            g = rnd.choice(GENRES)
            year = rnd.randint(1950, 2024)
            items.append((str(i + 1), g))
            w.writerow([i + 1, g, year, t0 - rnd.randint(0, 10 ** 8)])
    os.makedirs(os.path.join(a.out, "Users"), exist_ok=True)
    with open(os.path.join(a.out, "Users", "users.csv"), "w",
              newline="") as f:
        w = csv.writer(f)
        w.writerow(["USER_ID", "AGE_GROUP"])
        for u in range(a.users):
            w.writerow([u + 1, rnd.choice(AGES)])
    os.makedirs(os.path.join(a.out, "Interactions"), exist_ok=True)
    n = 0
    with open(os.path.join(a.out, "Interactions", "interactions.csv"), "w",
              newline="") as f:
        w = csv.writer(f)
        w.writerow(["USER_ID", "ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])
        for u in range(a.users):
            # Each user leans to two genres, as people do.
            likes = rnd.sample(GENRES, 2)
            pool = [it for it, g in items if g in likes] or \
                [it for it, _ in items]
            for k in range(rnd.randint(5, 15)):
                w.writerow([u + 1, rnd.choice(pool),
                            rnd.choice(["watch", "watch", "click"]),
                            t0 + u * 1000 + k * 60])
                n += 1
    if a.jobs:
        for sub, name, key, n_ids in (("batch", "users.json", "userId", 50),
                                      ("segments", "items.json", "itemId",
                                       20)):
            os.makedirs(os.path.join(a.jobs, sub), exist_ok=True)
            with open(os.path.join(a.jobs, sub, name), "w") as f:
                for i in range(n_ids):
                    f.write('{"%s": "%d"}\n' % (key, i + 1))
    print("wrote %d items, %d users, %d interactions under %s" %
          (a.items, a.users, n, a.out))


if __name__ == "__main__":
    main()
