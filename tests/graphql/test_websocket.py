"""A WebSocket upgrade on /graphql gets a protocol answer, never a 500, over a real server.

Only the graphql-transport-ws subprotocol is served; the legacy graphql-ws one (whose missing
connection_init skipped authentication in Strawberry before 0.312.3) and none at all are refused.
"""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

pytest_plugins = ["tests.support.live_server"]  # the `server` fixture

TRANSPORT_WS = "graphql-transport-ws"


def _ws_url(server: str) -> str:
    return server.replace("http://", "ws://") + "/graphql"


async def test_graphql_transport_ws_is_served_and_needs_a_token(server: str) -> None:
    async with websockets.connect(_ws_url(server), subprotocols=[TRANSPORT_WS]) as socket:
        assert socket.subprotocol == TRANSPORT_WS
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = {"query": "{ tasks { totalCount } }"}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        answer = json.loads(await socket.recv())
        assert answer["id"] == "1", answer
        # No token reached the context (it will come in connection_init): no data, a clear refusal.
        assert answer["type"] == "next", answer
        assert answer["payload"]["data"] is None, answer
        assert answer["payload"]["errors"][0]["message"].startswith("Authentication required")


@pytest.mark.parametrize("subprotocols", [["graphql-ws"], [], ["chat"]], ids=str)
async def test_other_subprotocols_are_refused_without_a_server_error(
    server: str, subprotocols: list[str]
) -> None:
    async with websockets.connect(_ws_url(server), subprotocols=subprotocols or None) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4406,
        "Subprotocol not acceptable",
    )
