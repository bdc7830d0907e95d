"""Websocket compression as browsers negotiate it: permessage-deflate at the configured zlib level
(a frame several times smaller), or declined when the level is 0."""

from __future__ import annotations

import json
import socket
import zlib

from servers import LiveServer
from ws_client import decode_frame, raw_websocket, split_frames

OFFER = "permessage-deflate; client_max_window_bits"


def greeting(sock: socket.socket) -> tuple[bytes, list[tuple]]:
    """The handshake response and the five greeting messages, as sent (flags, opcode, payload)."""
    data = b""
    while True:
        data += sock.recv(65536)
        head, _, stream = data.partition(b"\r\n\r\n")
        frames, _ = split_frames(stream, with_flags=True)
        if len(frames) >= 5:
            return head, frames[:5]


def test_messages_are_deflated_when_the_client_offers_it(live_server):
    sock = raw_websocket(live_server.port, OFFER)
    try:
        head, frames = greeting(sock)
    finally:
        sock.close()
    assert b"permessage-deflate" in head.lower()
    inflate = zlib.decompressobj(-15)
    messages = []
    for opcode, payload, first in frames:
        if first & 0x40:  # RSV1: compressed
            messages.append((opcode, inflate.decompress(payload + b"\x00\x00\xff\xff"), len(payload)))
        else:  # small messages go as they are: deflating them costs more than it saves
            assert len(payload) < 512
            messages.append((opcode, payload, len(payload)))
    compressed = [len(text) for (_, text, _), (_, _, first) in zip(messages, frames) if first & 0x40]
    assert compressed and min(compressed) >= 512
    assert [json.loads(text)["type"] for _, text, _ in messages[:4]] == ["hello", "state", "data", "metrics"]
    opcode, frame, sent = messages[4]
    assert opcode == 2 and decode_frame(frame).size == 10_724 and sent < 10_724 / 3


def test_level_zero_declines_compression():
    with LiveServer({"COMPRESSION_LEVEL": 0}) as server:
        sock = raw_websocket(server.port, OFFER)
        try:
            head, frames = greeting(sock)
        finally:
            sock.close()
    assert b"permessage-deflate" not in head.lower()
    assert not any(first & 0x40 for _, _, first in frames)
    assert decode_frame(frames[4][1]).size == 10_724
