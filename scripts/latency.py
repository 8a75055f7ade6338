#!/usr/bin/env python3
"""Publish-to-receive latency of a running hub: one SSE subscriber, N events published one at a time
(paced), each carrying its send time; prints p50/p99/max. Usage: latency.py [base-url] [events] [pace-ms]"""
import http.client, json, sys, threading, time, urllib.parse

base = urllib.parse.urlparse(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
pace = (float(sys.argv[3]) if len(sys.argv) > 3 else 20) / 1000
topic = f"latency-{int(time.time() * 1000)}"
latencies, attached, done = [], threading.Event(), threading.Event()

def subscribe():
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    conn.request("GET", f"/topics/{topic}/events", headers={"Accept": "text/event-stream"})
    resp = conn.getresponse()
    while len(latencies) < count:
        line = resp.fp.readline().decode()
        if line.startswith("id:"):
            attached.set()
        if line.startswith("data: "):
            latencies.append(time.perf_counter_ns() / 1e6 - float(line[6:]))
    done.set()

threading.Thread(target=subscribe, daemon=True).start()
attached.wait(10)
pub = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
for _ in range(count):
    pub.request("POST", f"/topics/{topic}/events", body=json.dumps({"data": f"{time.perf_counter_ns() / 1e6:.3f}"}),
                headers={"Content-Type": "application/json"})
    pub.getresponse().read()
    time.sleep(pace)
done.wait(30)
s = sorted(latencies)
pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
print(f"{len(s)} events: p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {s[-1]:.1f} ms")
