"""The unsigned control endpoints under /__sim/.

GET  /__sim/health           {"ok": true, region, accountId, models}
GET  /__sim/state            every resource (type, name, arn, status),
                             buckets (with objects), SNS topics
GET  /__sim/calls[?since=N]  every AWS request: service, operation, status,
                             error, time; seq numbers for incremental reads
POST /__sim/reset            empty everything
GET|POST /__sim/faults       read / change fault settings (JSON body)
POST /__sim/clock            {"advance_s": S, "time_scale": S}: move the
                             simulated clock on; change --time-scale (0:
                             every lifecycle completes at the next request)
GET|POST /__sim/behaviour    read / change the open questions' switches
POST /__sim/seed             {"resources": [{type, arn, name, status,
                             attrs, tags, created, failureReason}]}:
                             insert resources as if created
POST /__sim/s3/deny          {"bucket": B, "operations": ["GetObject", ...]}:
                             a bucket policy denying those operations to
                             every caller but Personalize's role
POST /__sim/metrics          {"solutionVersionArn"|"solutionArn": ARN,
                             "metrics": {}}: a version's GetSolutionMetrics
                             answer now, or those of a solution's
                             versions trained from now on
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
            ok = isinstance(obj, dict) and obj and set(obj) <= {
                "advance_s", "time_scale"} and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool)
                    for v in obj.values())
            if not ok or obj.get("time_scale", 0) < 0:
                return h.send_json(400, {"error": "need {\"advance_s\": N}"
                                         " and/or {\"time_scale\": S >= 0}"})
            if "time_scale" in obj:
                old = sim.opts.time_scale
                sim.opts.time_scale = float(obj["time_scale"])
                sim.services["personalize"].rescale(old,
                                                    sim.opts.time_scale)
            if "advance_s" in obj:
                sim.advance_clock(float(obj["advance_s"]))
        if method in ("GET", "POST"):
            return h.send_json(200, {"now": sim.now(),
                                     "offset_s": sim.clock_offset(),
                                     "time_scale": sim.opts.time_scale})
    if path == "/__sim/behaviour":
        if method == "POST":
            try:
                sim.set_behaviour(obj)
            except ValueError as e:
                return h.send_json(400, {"error": str(e)})
        if method in ("GET", "POST"):
            return h.send_json(200, sim.behaviour())
    if path == "/__sim/seed" and method == "POST":
        if not isinstance(obj, dict) or not isinstance(
                obj.get("resources"), list):
            return h.send_json(400, {"error": "need {\"resources\": "
                                     "[{type, arn, name, status, attrs}]}"})
        try:
            out = sim.services["personalize"].seed(obj["resources"])
        except ValueError as e:
            return h.send_json(400, {"error": str(e)})
        return h.send_json(200, {"resources": out})
    if path == "/__sim/s3/deny" and method == "POST":
        try:
            if not isinstance(obj, dict) or not isinstance(
                    obj.get("bucket"), str):
                raise ValueError("need {\"bucket\": NAME, "
                                 "\"operations\": [...]}")
            sim.services["s3"].deny(obj["bucket"], obj.get("operations"))
        except ValueError as e:
            return h.send_json(400, {"error": str(e)})
        return h.send_json(200, {"ok": True})
    if path == "/__sim/metrics" and method == "POST":
        try:
            out = sim.services["personalize"].set_metrics(obj)
        except ValueError as e:
            return h.send_json(400, {"error": str(e)})
        return h.send_json(200, out)
    if path == "/__sim/sns" and method == "GET":
        return h.send_json(200, {"messages": sim.services["sns"].messages()})
    if path.startswith("/__sim/webhook/") and method in ("POST", "PUT"):
        sim.record_webhook(path[len("/__sim/webhook/"):], h.headers, body)
        return h.send_json(200, {"ok": True})
    if path == "/__sim/webhooks" and method == "GET":
        return h.send_json(200, {"webhooks": sim.webhooks()})
    return h.send_json(404, {"error": "no control endpoint %s %s"
                             % (method, path)})
