"""A stand-in for the regional system's inbound endpoints (the real view is phase 2's).

It does what the view must do first, with the real `oss.token` and `oss.protocol`: check the
`Token` against the NIB the body claims, then validate the body against the guide, and answer in
the guide's shape (`responreceiveNIB` status "1" or "2" with the reason). It records every push,
so that tests can see what OSS (the simulator) sent and why it was refused.
"""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from oss.protocol import (
    ProtocolError,
    load_json,
    nib_of,
    parse_receive_file_ds,
    parse_receive_nib,
    receive_file_ds_answer,
    receive_nib_answer,
)
from oss.token import TokenError, check_token


@dataclass
class Received:
    path: str
    token: str | None
    body: object
    status: int
    answer: dict
    refusal: str = ""  # the token reason, or "protocol"
    parsed: object = None


class RegionReceiver:
    def __init__(self, *, username: str, password: str):
        self.username = username
        self.password = password
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer, entry = receiver.handle(self.path, self.headers.get("Token"), raw)
                receiver.received.append(entry)  # before answering: the pusher reads it next
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def nib_url(self) -> str:
        return self.url + "/oss/receiveNIB"

    @property
    def file_ds_url(self) -> str:
        return self.url + "/oss/receiveFileDS"

    def handle(self, path: str, token: str | None, raw: bytes):
        answer_for = receive_file_ds_answer if path.endswith("FileDS") else receive_nib_answer
        parse = parse_receive_file_ds if path.endswith("FileDS") else parse_receive_nib
        try:
            body = load_json(raw)
        except ProtocolError as error:
            answer = answer_for(False, error.summary())
            return 400, answer, Received(path, token, raw, 400, answer, "protocol")
        try:
            check_token(token, username=self.username, password=self.password, nib=nib_of(body))
        except TokenError as error:
            answer = answer_for(False, str(error))
            return 401, answer, Received(path, token, body, 401, answer, error.reason)
        try:
            parsed = parse(body)
        except ProtocolError as error:
            answer = answer_for(False, error.summary())
            return 400, answer, Received(path, token, body, 400, answer, "protocol")
        answer = answer_for(True, "Berhasil menyimpan data")
        return 200, answer, Received(path, token, body, 200, answer, parsed=parsed)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
