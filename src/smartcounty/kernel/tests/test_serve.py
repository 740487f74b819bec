import socket

from django.core.servers.basehttp import WSGIRequestHandler

from smartcounty.kernel.management.commands.serve import NoDelayWSGIServer


def test_the_server_turns_nagle_off_on_every_connection():
    server = NoDelayWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    try:
        client = socket.create_connection(server.server_address)
        conn, _addr = server.get_request()
        try:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        finally:
            conn.close()
            client.close()
    finally:
        server.server_close()
