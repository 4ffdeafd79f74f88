"""A real local HTTP server speaking the three providers' APIs, for tests (no internet here)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = json.dumps({"signal": "bullish", "confidence": 0.8, "reasoning": "Uptrend with rising volume."})
ANSWERS = {
    "good": GOOD,
    "prose": "I think the market looks bullish today!",
    "fenced": "```json\n" + GOOD + "\n```",
    "bad_signal": json.dumps({"signal": "moon", "confidence": 0.9, "reasoning": "x"}),
    "confidence_out": json.dumps({"signal": "bearish", "confidence": 1.7, "reasoning": "x"}),
    "confidence_nan": '{"signal": "bearish", "confidence": NaN, "reasoning": "x"}',
    "list": json.dumps(["bullish", 0.9]),
}


class FakeLLM:
    def __init__(self):
        self.behaviour = "good"
        self.requests: list[dict] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                if fake.behaviour == "slow":
                    time.sleep(3)
                if fake.behaviour == "error500":
                    return self._send(500, {"error": {"message": "overloaded", "type": "server_error"}})
                content = ANSWERS.get(fake.behaviour, GOOD)
                model = body.get("model", "m")
                if self.path.endswith("/chat/completions"):
                    payload = {
                        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }  # fmt: skip
                elif self.path.endswith("/messages"):
                    payload = {
                        "id": "msg_1", "type": "message", "role": "assistant", "model": model,
                        "content": [{"type": "text", "text": content}], "stop_reason": "end_turn",
                        "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1},
                    }  # fmt: skip
                elif self.path.endswith("/api/chat"):
                    payload = {
                        "model": model, "created_at": "2026-01-01T00:00:00Z",
                        "message": {"role": "assistant", "content": content}, "done": True,
                    }  # fmt: skip
                else:
                    return self._send(404, {"error": "unknown path"})
                self._send(200, payload)

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler
