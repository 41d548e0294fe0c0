#!/usr/bin/env python3
"""A stand-in for the GStreamer RTSP bridge of seed 002 (neolink).

Each "pipeline" runs its streaming work on a blocking thread; when the camera stalls the thread
hangs in C code forever and the watchdog can only abandon it, so with `--leak` the thread count
climbs by one every `--every` seconds, as `ps` showed in the field. Without `--leak` the bridge
keeps a fixed pool of worker threads.

usage: neolink-bridge.py --camera NAME [--leak] [--every SECONDS] MARK
"""
import argparse
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--camera", required=True)
parser.add_argument("--leak", action="store_true")
parser.add_argument("--every", type=float, default=0.15)
parser.add_argument("mark")
args = parser.parse_args()

threading.stack_size(256 * 1024)
stuck = threading.Event()  # never set: a stuck spawn_blocking thread


def start_blocking():
    threading.Thread(target=stuck.wait, daemon=True).start()


for _ in range(2):
    start_blocking()  # the healthy pool: two streaming threads

while True:
    time.sleep(args.every)
    if args.leak and threading.active_count() < 400:
        start_blocking()
