"""`rasa_addons.serving`: a Sanic app that could not bind its port is told apart from one
that served, for apps the launcher builds itself and for apps Rasa's CLI builds."""

from __future__ import annotations

import socket
import subprocess

from tools.paths import RASA_PYTHON, ROOT, rasa_env
from tools.stack import free_port

# Runs a real Sanic app the way Rasa's CLI does (the launcher never sees the app object),
# stops it as soon as it serves, and prints what the check says.
PROBE = """
import sys
from sanic import Sanic
from rasa_addons.serving import mark_every_app_when_serving

served = mark_every_app_when_serving(Sanic)
app = Sanic("serving_probe")
app.add_route(lambda _request: None, "/")

@app.after_server_start
async def stop(app, _loop):
    app.stop()

app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False,
        motd=False, register_sys_signals=False)
print("served" if served() else "not served")
"""


def probe(port: int) -> str:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", PROBE, str(port)],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_an_app_that_bound_its_port_counts_as_served() -> None:
    assert probe(free_port()) == "served"


def test_an_app_that_could_not_bind_does_not() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        assert probe(held.getsockname()[1]) == "not served"


# A real Sanic app that "loads a model" before it serves, as Rasa does, with the launcher's
# freeze installed: once it serves, what it loaded is out of the collector's reach.
FREEZE_PROBE = """
import asyncio, gc, sys
from sanic import Sanic
from rasa_addons.serving import freeze_after_loading

freeze_after_loading(Sanic)
app = Sanic("freeze_probe")
app.add_route(lambda _request: None, "/")
model = []

@app.before_server_start
async def load(app, _loop):
    model.extend({"weights": [i]} for i in range(50_000))
    print("frozen before serving:", gc.get_freeze_count())

@app.after_server_start
async def check_soon(app, _loop):
    async def check():
        await asyncio.sleep(0.5)  # the launcher's listener runs after this one
        tracked = {id(o) for o in gc.get_objects()}
        print("frozen:", gc.get_freeze_count())
        print("model objects the collector walks:", sum(id(m) in tracked for m in model))
        app.stop()
    app.add_task(check())

# A socket bound here, on a port the system picks: Sanic reads port=0 as "unset" and binds
# 8000, which a running stack may hold.
import socket
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
app.run(sock=sock, workers=1, access_log=False, motd=False, register_sys_signals=False)
"""


def test_what_a_worker_loaded_is_frozen_once_it_serves() -> None:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", FREEZE_PROBE],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = dict(line.split(": ") for line in result.stdout.splitlines() if ": " in line)
    assert lines["frozen before serving"] == "0"
    assert int(lines["frozen"]) > 100_000  # the "model" and everything imported
    assert lines["model objects the collector walks"] == "0"
