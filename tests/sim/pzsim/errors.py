"""AWS errors and their rendering per protocol.

A handler raises AwsError(code, message, status); the server renders it in
the wire format of the service's protocol:
  json / rest-json  {"__type": code, "message": ...} + x-amzn-ErrorType
  rest-xml (S3)     <Error><Code/><Message/>...<RequestId/></Error>
  query (STS, SNS)  <ErrorResponse><Error><Type/><Code/><Message/></Error>
                    <RequestId/></ErrorResponse>
"""

import json
from xml.sax.saxutils import escape


class AwsError(Exception):
    """An error answered to the client.

    extra: additional XML elements for S3 errors (BucketName, Key, ...).
    headers: additional response headers.
    """

    def __init__(self, code, message, status=400, extra=None, headers=None,
                 sender=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}
        self.headers = headers or {}
        self.sender = sender if sender is not None else status < 500


class DropConnection(Exception):
    """Close the client's connection without answering (fault injection)."""


def invalid_input(message):
    return AwsError("InvalidInputException", message, 400)


def not_found(message):
    return AwsError("ResourceNotFoundException", message, 404)


def render(err, protocol, request_id, xmlns=None):
    """Return (status, headers list, body bytes) for err in protocol."""
    headers = [("x-amzn-RequestId", request_id)]
    headers.extend(err.headers.items())
    if protocol in ("json", "rest-json"):
        headers.append(("x-amzn-ErrorType", err.code))
        ctype = ("application/x-amz-json-1.1" if protocol == "json"
                 else "application/json")
        headers.append(("Content-Type", ctype))
        body = json.dumps({"__type": err.code, "message": err.message})
        return err.status, headers, body.encode()
    if protocol == "rest-xml":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>',
                 escape(err.code), "</Code><Message>", escape(err.message),
                 "</Message>"]
        for k, v in err.extra.items():
            parts.append("<%s>%s</%s>" % (k, escape(str(v)), k))
        parts.append("<RequestId>%s</RequestId><HostId>%s</HostId></Error>"
                     % (request_id, request_id))
        headers = [("x-amz-request-id", request_id),
                   ("x-amz-id-2", request_id)]
        headers.extend(err.headers.items())
        headers.append(("Content-Type", "application/xml"))
        return err.status, headers, "".join(parts).encode()
    # query
    ns = ' xmlns="%s"' % xmlns if xmlns else ""
    body = ('<ErrorResponse%s>\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n'
            '  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (ns, "Sender" if err.sender else "Receiver", escape(err.code),
               escape(err.message), request_id))
    headers.append(("Content-Type", "text/xml"))
    return err.status, headers, body.encode()
