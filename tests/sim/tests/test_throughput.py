#!/usr/bin/python3
"""Concurrency: 1000 Describe calls over 100 keep-alive connections with
30 ms injected latency all succeed, and are served side by side: the run
must take a fraction of the 30 s a serial server needs. This is a check
that the server is concurrent, with a wide margin, not a speed
measurement: the figures are measured by tests/bench/bench_aws.sh."""

import http.client
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


class Throughput(unittest.TestCase):
    def test_1000_concurrent_describes_with_latency(self):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        sim = h.Simulator("--latency-ms", "30").start()
        try:
            st, b = h.personalize(sim, "CreateDatasetGroup", {"name": "tp"})
            body = json.dumps({"datasetGroupArn":
                               b["datasetGroupArn"]}).encode()
            signed = []
            for _ in range(1000):
                r = AWSRequest("POST", sim.url + "/", data=body, headers={
                    "X-Amz-Target": "AmazonPersonalize.DescribeDatasetGroup",
                    "Content-Type": "application/x-amz-json-1.1"})
                SigV4Auth(Credentials(h.AKID, h.SECRET), "personalize",
                          "us-east-1").add_auth(r)
                signed.append(dict(r.prepare().headers.items()))
            statuses = []
            lock = threading.Lock()

            def worker(chunk):
                c = http.client.HTTPConnection("127.0.0.1", sim.port)
                for hd in chunk:
                    c.request("POST", "/", body, hd)
                    resp = c.getresponse()
                    resp.read()
                    with lock:
                        statuses.append(resp.status)
                c.close()
            threads = [threading.Thread(target=worker,
                                        args=(signed[i::100],))
                       for i in range(100)]
            t0 = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.time() - t0
        finally:
            sim.stop()
        self.assertEqual(statuses, [200] * 1000)
        print("\n1000 Describe calls over 100 connections, 30 ms latency: "
              "%.3f s" % elapsed, file=sys.stderr)
        # Serial service would take 1000 x 30 ms = 30 s.
        self.assertLess(elapsed, 10.0)


if __name__ == "__main__":
    h.require_botocore()
    unittest.main(verbosity=2)
