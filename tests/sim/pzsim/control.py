"""The unsigned control endpoints under /__sim/.

GET  /__sim/health           {"ok": true, region, accountId, models}
GET  /__sim/state            every resource (type, name, arn, status),
                             buckets (with objects), SNS topics
GET  /__sim/calls[?since=N]  every AWS request: service, operation, status,
                             error, time; seq numbers for incremental reads
POST /__sim/reset            empty everything
GET|POST /__sim/faults       read / change fault settings (JSON body)
POST /__sim/clock            {"advance_s": S}: move the simulated clock on
GET  /__sim/sns              every message published to SNS
POST /__sim/webhook/<any>    record the posted body
GET  /__sim/webhooks         every recorded webhook post
"""

import json
from urllib.parse import parse_qsl


def handle(h, sim, method, path, qs, body):
    q = dict(parse_qsl(qs))
    try:
        obj = json.loads(body) if body.strip() else {}
    except ValueError:
        obj = None
    if path == "/__sim/health" and method == "GET":
        return h.send_json(200, sim.health())
    if path == "/__sim/state" and method == "GET":
        return h.send_json(200, sim.state())
    if path == "/__sim/calls" and method == "GET":
        since = int(q.get("since", 0) or 0)
        return h.send_json(200, {"calls": sim.calls_since(since)})
    if path == "/__sim/reset" and method == "POST":
        sim.reset()
        return h.send_json(200, {"ok": True})
    if path == "/__sim/faults":
        if method == "GET":
            return h.send_json(200, sim.faults.settings())
        if method == "POST":
            if obj is None:
                return h.send_json(400, {"error": "body is not JSON"})
            try:
                sim.faults.update(obj)
            except ValueError as e:
                return h.send_json(400, {"error": str(e)})
            return h.send_json(200, sim.faults.settings())
    if path == "/__sim/clock":
        if method == "POST":
            if not isinstance(obj, dict) or not isinstance(
                    obj.get("advance_s"), (int, float)):
                return h.send_json(400, {"error": "need {\"advance_s\": N}"})
            sim.advance_clock(float(obj["advance_s"]))
        if method in ("GET", "POST"):
            return h.send_json(200, {"now": sim.now(),
                                     "offset_s": sim.clock_offset()})
    if path == "/__sim/sns" and method == "GET":
        return h.send_json(200, {"messages": sim.services["sns"].messages()})
    if path.startswith("/__sim/webhook/") and method in ("POST", "PUT"):
        sim.record_webhook(path[len("/__sim/webhook/"):], h.headers, body)
        return h.send_json(200, {"ok": True})
    if path == "/__sim/webhooks" and method == "GET":
        return h.send_json(200, {"webhooks": sim.webhooks()})
    return h.send_json(404, {"error": "no control endpoint %s %s"
                             % (method, path)})
