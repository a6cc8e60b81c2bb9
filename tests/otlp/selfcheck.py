"""Checks the Python side alone, without CogniTrack: runs drive.py for each
instrumentation against the mock chat-completions server and a tiny local
OTLP/HTTP collector that records what it is sent, then prints, per
instrumentation, the requests (content type, body length, auth header) and
the attributes of each exported span, decoded from the protobuf body.

    target/otlp-venv/bin/python tests/otlp/selfcheck.py [--calls N]

Exits non-zero when an instrumentation exported no span carrying token
usage, or a call's usage is missing from its span.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE))
from mock_openai import MockOpenAI  # noqa: E402

INSTRUMENTATIONS = ["openai-v2", "openai-v2-latest", "openinference", "openllmetry"]


class Collector(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CollectorHandler)
        self.requests = []


class CollectorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(
            {
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "authorization": self.headers.get("Authorization"),
                "body": body,
            }
        )
        data = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2)
    parser.add_argument("--instrumentation", action="append")
    args = parser.parse_args()

    mock = MockOpenAI(out=None)
    collector = Collector()
    for server in (mock, collector):
        threading.Thread(target=server.serve_forever, daemon=True).start()

    ok = True
    for name in args.instrumentation or INSTRUMENTATIONS:
        collector.requests.clear()
        env = dict(
            os.environ,
            OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.server_address[1]}",
            OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ct_selfcheck",
            OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
            OPENAI_BASE_URL=f"http://127.0.0.1:{mock.port}/v1",
            OPENAI_API_KEY="sk-mock",
        )
        run = subprocess.run(
            [sys.executable, str(HERE / "drive.py"), "--instrumentation", name,
             "--calls", str(args.calls), "--conversation", f"conv-{name}", "--user", "alice"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        print(f"== {name}: driver exit {run.returncode}")
        if run.returncode != 0:
            print(run.stderr)
            ok = False
            continue
        report = json.loads(run.stdout)
        for r in collector.requests:
            print(f"   POST {r['path']} {r['content_type']} {len(r['body'])} bytes, auth {r['authorization']!r}")
        spans = []
        for r in collector.requests:
            request = ExportTraceServiceRequest.FromString(r["body"])
            for resource_spans in request.resource_spans:
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        spans.append((scope_spans.scope.name, span))
        usage_spans = 0
        for scope, span in spans:
            attrs = {a.key: value(a.value) for a in span.attributes}
            print(f"   span {span.name!r} (scope {scope}, trace {span.trace_id.hex()})")
            for key in sorted(attrs):
                shown = attrs[key]
                if isinstance(shown, str) and len(shown) > 60:
                    shown = shown[:57] + "..."
                print(f"      {key} = {shown!r}")
            if any("token" in k for k in attrs):
                usage_spans += 1
        calls = [c for conv in report["conversations"] for c in conv["calls"]]
        if usage_spans != len(calls):
            print(f"   !! {usage_spans} spans with token counts for {len(calls)} calls")
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
