"""Several Rasa processes serving the same people: replicas behind a load balancer, and
workers inside one Rasa, all sharing one PostgreSQL tracker store and one Redis lock
store (the setup deploy/compose.yml runs across machines).

One set of processes for the whole module (each Rasa process loads the model: about a
minute of CPU and 1.5 GB): replica A with two Sanic workers (RASA_WORKERS=2), replica B
with one, the action server, Redis (as `make run` starts it), a throwaway PostgreSQL and
nginx round robin in front of A and B. So three Rasa processes take turns.
"""

from __future__ import annotations

import itertools
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from tests.api.postgres import postgres_server
from tests.e2e.balancer import balancer_service
from tests.e2e.conftest import LOG_DIR
from tools import debian
from tools.stack import (
    Ports,
    Service,
    Stack,
    StackConfig,
    free_port,
    rasa_service,
    start_stack,
)

# The first test also waits for the module's processes to start (ready_timeout below).
pytestmark = pytest.mark.timeout(1500)

REPLICA_LOGS = LOG_DIR / "replicas"
WORKERS_OF_A = 2
QUESTIONS_WITH_DIFFERENT_ANSWERS = [
    "what is a return interview", "what does MASH stand for",
    "what is child sexual exploitation", "what counts as a looked after child",
    "what is a care leaver", "what is forced marriage",
    "what is the runaway helpline number", "what is child trafficking",
]
# A worker logs this once its model is loaded; the port answers as soon as one has.
LOADED = "Rasa server is up and running"


@dataclass
class Replicas:
    stack: Stack
    balancer_url: str
    replica_urls: dict[str, str]  # "127.0.0.1:port" -> its base URL
    log_start: dict[str, int]  # where this start's lines begin in each log

    @property
    def config(self) -> StackConfig:
        return self.stack.config

    def log(self, name: str) -> str:
        with (REPLICA_LOGS / f"{name}.log").open(encoding="utf-8") as log:
            log.seek(self.log_start[name])
            return log.read()

    def say(self, sender: str, text: str) -> tuple[list[dict], str]:
        """A message through the balancer; the reply and which replica served it."""
        response = httpx.post(f"{self.balancer_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": text}, timeout=120)
        assert response.status_code == 200, response.text
        return response.json(), response.headers["X-Upstream"]

    def tracker(self, sender: str) -> dict:
        # Straight to one replica: both read the same tracker store.
        response = httpx.get(f"{self.config.rasa_url}/conversations/{sender}/tracker",
                             params={"token": self.config.rasa_token}, timeout=30)
        assert response.status_code == 200
        return response.json()


@pytest.fixture(scope="module")
def replicas(model: Path) -> Iterator[Replicas]:
    try:
        nginx = debian.nginx()
    except debian.MissingProgram as missing:
        pytest.skip(str(missing))
    server = postgres_server()
    tracker_db, api_db = server.new_database(), server.new_database()
    directories: list[Path] = []
    log_start: dict[str, int] = {}

    def second_replica_and_balancer(config: StackConfig) -> list[Service]:
        # Logs are appended to: a failed attempt's lines are not this start's.
        rasa_log = REPLICA_LOGS / "rasa.log"
        log_start["rasa"] = rasa_log.stat().st_size if rasa_log.exists() else 0
        second = rasa_service(config, name="rasa-2", port=free_port(), workers=1)
        balancer, directory = balancer_service(nginx, [config.ports.rasa, second.port])
        directories.append(directory)
        return [second, balancer]

    try:
        stack = start_stack(
            lambda: StackConfig(model=model, ports=Ports.free(), rasa_workers=WORKERS_OF_A,
                                tracker_db_url=server.url(tracker_db, "postgresql"),
                                database_url=server.url(api_db)),
            log_dir=REPLICA_LOGS, more_services=second_replica_and_balancer,
            # Three Rasa processes load the model at once, on two cores shared with
            # whatever else runs: up to ten minutes, not the usual four.
            ready_timeout=600,
        )
        try:
            by_name = {service.name: service for service in stack.services}
            yield Replicas(
                stack, by_name["nginx"].ready_url.rstrip("/"),
                {f"127.0.0.1:{by_name[name].port}": by_name[name].ready_url.rstrip("/")
                 for name in ("rasa", "rasa-2")},
                log_start,
            )
        finally:
            stack.stop()
    finally:
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)
        server.drop_database(tracker_db)
        server.drop_database(api_db)


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def test_a_walkthrough_alternating_between_replicas_keeps_its_place(
    replicas: Replicas,
) -> None:
    sender = f"replicas-{uuid.uuid4().hex}"
    turns = ["my son hasn't come home and it's nearly midnight", "/deny", "/deny",
             "/step_done", "/step_done", "/report_now"]
    replies, served_by = zip(*(replicas.say(sender, text) for text in turns), strict=True)
    # Every turn went to the other replica than the turn before it.
    assert set(served_by) == set(replicas.replica_urls)
    assert all(a != b for a, b in itertools.pairwise(served_by))
    # ... and the conversation went on where the other replica had left it.
    assert "immediate danger" in texts(replies[0])[0]
    assert "looked after" in "\n".join(texts(replies[1]))
    assert texts(replies[2])[0].startswith("Step 1 of 6")
    assert texts(replies[3])[0].startswith("Step 2 of 6")
    assert texts(replies[4])[0].startswith("Step 3 of 6")
    summary = "\n".join(texts(replies[5]))
    assert "MASH" in summary and "999" in summary
    # The shared tracker holds every message once, in the order they were sent.
    said = [e["text"] for e in replicas.tracker(sender)["events"] if e["event"] == "user"]
    assert said == turns


def test_messages_sent_at_once_to_one_conversation_are_all_answered_whole(
    replicas: Replicas,
) -> None:
    """Sent in parallel there is no order to keep, but each turn must run whole (no
    other turn of the conversation between its message and its replies), none may be
    lost, and each reply must be the one to its own message."""
    sender = f"replicas-{uuid.uuid4().hex}"
    replicas.say(sender, "hello")
    # Questions with different answers, so that a reply given to the wrong message shows.
    questions = QUESTIONS_WITH_DIFFERENT_ANSWERS
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        answers = list(pool.map(lambda text: replicas.say(sender, text), questions))
    assert {served_by for _, served_by in answers} == set(replicas.replica_urls)
    turns: list[tuple[str, list[str]]] = []  # each user message with the bot texts after it
    for event in replicas.tracker(sender)["events"]:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and event.get("text") and turns:
            turns[-1][1].append(event["text"])
    said = [text for text, _ in turns]
    assert said[0] == "hello" and sorted(said[1:]) == sorted(questions)  # each once
    stored = dict(turns)
    for question, (reply, _) in zip(questions, answers, strict=True):
        assert texts(reply), question
        assert stored[question] == texts(reply)
    assert len({tuple(texts(reply)) for reply, _ in answers}) == len(questions)


def test_replica_a_runs_two_workers_that_both_loaded_the_model(replicas: Replicas) -> None:
    deadline = time.monotonic() + 300
    # The port answers once the first worker is ready; the second may still be loading.
    while replicas.log("rasa").count(LOADED) < WORKERS_OF_A and time.monotonic() < deadline:
        time.sleep(1)
    assert replicas.log("rasa").count(LOADED) == WORKERS_OF_A
    (launcher,) = [s.process for s in replicas.stack.services if s.name == "rasa"]
    assert launcher is not None
    # Sanic forks one process per worker from the launcher, all on the one socket.
    assert len(psutil.Process(launcher.pid).children()) == WORKERS_OF_A
    reply, _ = replicas.say(f"replicas-{uuid.uuid4().hex}", "hello")
    assert texts(reply)


def test_both_workers_take_messages_from_clients_that_keep_connections(
    replicas: Replicas,
) -> None:
    """A client that keeps its connections open (the API, a balancer) still reaches both
    workers: Rasa ends each connection after a few replies, and the next connection is
    accepted by a worker that is free."""
    (launcher,) = [s.process for s in replicas.stack.services if s.name == "rasa"]
    assert launcher is not None
    workers = psutil.Process(launcher.pid).children()

    def cpu() -> list[float]:
        return [w.cpu_times().user + w.cpu_times().system for w in workers]

    before = cpu()
    url = f"{replicas.config.rasa_url}/webhooks/rest/webhook"
    with httpx.Client(timeout=120) as client, ThreadPoolExecutor(max_workers=4) as pool:
        def ask(number: int) -> httpx.Response:
            return client.post(url, json={"sender": f"keep-{number % 4}-{uuid.uuid4().hex}",
                                          "message": QUESTIONS_WITH_DIFFERENT_ANSWERS[number % 8]})
        responses = list(pool.map(ask, range(96)))
    spent = [after - start for after, start in zip(cpu(), before, strict=True)]
    assert all(r.status_code == 200 and r.json() for r in responses)
    ended = [r.headers.get("connection") == "close" for r in responses]
    # A connection ends at its 8th reply: never more often, and the client's connections
    # share the 96 requests unevenly, so some end with fewer than 8 and are not counted.
    assert 0 < sum(ended) <= 96 // 8
    # 96 guidance answers are several CPU-seconds; each worker did a fair part of them.
    assert min(spent) > 0.2 * sum(spent), spent
