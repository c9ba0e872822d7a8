"""What every simulated service shares: the request and response objects,
the base class, and the JSON-protocol plumbing (body parsing, model
validation, dispatch to op_<Operation> methods)."""

import json

from .errors import AwsError, render
from .validate import Validator


class Request:
    """One HTTP request as the services see it."""

    __slots__ = ("method", "raw_path", "path", "query", "qdict", "headers",
                 "body", "host", "request_id", "auth", "op", "service",
                 "form", "params", "ctx", "logged")

    def __init__(self):
        self.auth = None
        self.op = None
        self.form = None
        self.params = None
        self.ctx = None
        self.logged = None  # the parameters the call log records


class Response:
    __slots__ = ("status", "headers", "body", "content_length", "error_code")

    def __init__(self, status=200, headers=None, body=b"",
                 content_length=None):
        self.error_code = None
        self.status = status
        self.headers = headers or []
        self.body = body
        self.content_length = content_length  # for HEAD answers


class Service:
    name = None
    protocol = None
    signing_name = None
    xmlns = None

    def __init__(self, sim, model=None):
        self.sim = sim
        self.model = model

    def identify(self, req):
        """The API operation req calls (for faults, calls and errors)."""
        raise NotImplementedError

    def allow_unsigned(self, req):
        return False

    def begin(self, req):
        """Called before the body is read; returns a context for end()."""
        return None

    def end(self, ctx):
        pass

    def handle(self, req):
        raise NotImplementedError

    def error_response(self, err, req):
        status, headers, body = render(err, self.protocol, req.request_id,
                                       self.xmlns)
        return Response(status, headers, body)


class JsonService(Service):
    """json (X-Amz-Target) and rest-json services validated by the model."""

    def __init__(self, sim, model):
        super().__init__(sim, model)
        self.validator = Validator(model.shapes)

    def parse_json(self, req):
        if not req.body:
            return {}
        try:
            v = json.loads(req.body)
        except ValueError:
            raise AwsError("SerializationException", "Unexpected content in"
                           " request body; it is not a JSON document.", 400)
        if not isinstance(v, dict):
            raise AwsError("SerializationException", "Start of list found "
                           "where not expected", 400)
        return v

    def validated(self, req):
        """Parse req's JSON body and validate it against the op's input."""
        params = self.parse_json(req)
        req.logged = params
        shape = self.model.input_shape(req.op)
        if shape is not None:
            errs = self.validator.validate(shape, params)
            if errs:
                raise self.validation_error(self.validator.message(errs))
        return params

    def validation_error(self, message):
        return AwsError("InvalidInputException", message, 400)

    def handle(self, req):
        params = self.validated(req)
        fn = getattr(self, "op_" + req.op, None)
        if fn is None:
            raise AwsError("UnknownOperationException", "Operation %s is not "
                           "supported by the simulator" % req.op, 400)
        result = fn(params, req)
        return self.json_response(result, req)

    def json_response(self, result, req, status=200):
        body = json.dumps(result if result is not None else {},
                          separators=(",", ":")).encode()
        ctype = ("application/x-amz-json-1.1" if self.protocol == "json"
                 else "application/json")
        return Response(status, [("Content-Type", ctype),
                                 ("x-amzn-RequestId", req.request_id)], body)


class QueryService(Service):
    """Query-protocol services (STS, SNS): form parameters in, XML out."""

    protocol = "query"
    validation_code = "ValidationError"

    def __init__(self, sim, model):
        super().__init__(sim, model)
        self.xmlns = model.metadata.get("xmlNamespace")
        self.validator = Validator(model.shapes, "query")

    def identify(self, req):
        return req.form.get("Action") or "Unknown"

    def handle(self, req):
        from . import query
        op = req.op
        if op not in self.model.operations:
            raise AwsError("InvalidAction", "Could not find operation %s for "
                           "version %s" % (op, self.model.metadata[
                               "apiVersion"]), 400)
        shape = self.model.input_shape(op)
        params = {}
        if shape is not None:
            params, problems = query.parse_params(self.model.shapes, shape,
                                                  req.form)
            req.logged = params
            problems += self.validator.validate(shape, params)
            if problems:
                raise AwsError(self.validation_code,
                               self.validator.message(problems), 400)
        fn = getattr(self, "op_" + op, None)
        if fn is None:
            raise AwsError("InvalidAction", "The simulator does not implement"
                           " %s" % op, 400)
        result = fn(params, req)
        body = query.serialize(self.model, op, result, req.request_id)
        return Response(200, [("Content-Type", "text/xml"),
                              ("x-amzn-RequestId", req.request_id)], body)
