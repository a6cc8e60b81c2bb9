"""A local mock of OpenAI's chat-completions endpoint that answers every
call with a distinct, known usage (prompt tokens, completion tokens and
cached prompt tokens).

    mock_openai.py            serves on 127.0.0.1 at a port the OS picks

Prints `listening on 127.0.0.1:PORT` as its first stdout line, then one
JSON line per answered call: {"served": {"model", "prompt_tokens",
"completion_tokens", "cached_tokens"}}. Point the client at
http://127.0.0.1:PORT/v1. Stops on SIGTERM/SIGINT or when stdin closes
(so a parent that dies does not leave it behind).
"""

import itertools
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What OpenAI answers for an alias: the dated snapshot that served it.
SNAPSHOTS = {"gpt-4o-mini": "gpt-4o-mini-2024-07-18", "gpt-4o": "gpt-4o-2024-08-06"}


def usage_for(n):
    """The usage of the n-th call (1-based): distinct for every call, with
    the cached tokens a part of the prompt tokens, as OpenAI counts them."""
    prompt = 900 + 137 * n
    return {
        "prompt_tokens": prompt,
        "completion_tokens": 15 + 11 * n,
        "total_tokens": prompt + 15 + 11 * n,
        "prompt_tokens_details": {"cached_tokens": 64 * n, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


class MockOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, out=sys.stdout):
        super().__init__(("127.0.0.1", 0), Handler)
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.out = out
        self.served = []

    @property
    def port(self):
        return self.server_address[1]

    def next_usage(self, model):
        with self.lock:
            usage = usage_for(next(self.counter))
            served = {
                "model": model,
                "prompt_tokens": usage["prompt_tokens"],
                "completion_tokens": usage["completion_tokens"],
                "cached_tokens": usage["prompt_tokens_details"]["cached_tokens"],
            }
            self.served.append(served)
            if self.out is not None:
                print(json.dumps({"served": served}), file=self.out, flush=True)
        return usage


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self.reply(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            return self.reply(401, {"error": {"message": "no API key", "type": "invalid_request_error"}})
        try:
            request = json.loads(body)
        except ValueError:
            return self.reply(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
        if request.get("stream"):
            return self.reply(400, {"error": {"message": "streaming is not mocked", "type": "invalid_request_error"}})
        model = SNAPSHOTS.get(request.get("model"), request.get("model"))
        usage = self.server.next_usage(model)
        self.reply(
            200,
            {
                "id": f"chatcmpl-mock{usage['prompt_tokens']}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": "fp_mock",
                "service_tier": "default",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "OK.", "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            },
        )

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    server = MockOpenAI()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"listening on 127.0.0.1:{server.port}", flush=True)
    try:
        # Until the parent closes stdin (or goes away), or a signal ends us.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
