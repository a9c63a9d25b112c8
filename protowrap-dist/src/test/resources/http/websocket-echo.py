"""WebSocket echo server for the HTTP end-to-end tests: sends every message back as it came."""
import asyncio
import sys

import websockets


async def echo(connection, path=None):
    # websockets before 10.1 passes the request path as a second argument; later ones do not.
    async for message in connection:
        await connection.send(message)


async def serve(port):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=16 * 1024 * 1024):
        print("websocket echo listening on port", port, flush=True)
        await asyncio.Future()


asyncio.run(serve(int(sys.argv[1])))
