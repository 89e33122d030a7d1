"""nginx from Debian as a round-robin load balancer in front of Rasa replicas, for the
replica tests: a foreground process (`daemon off`) run by the stack like any service,
its configuration written into a private temporary directory, on a free port.

One worker process, so that round robin is one sequence (each nginx worker keeps its
own), and `max_fails=0`, so that a replica is never taken out of the rotation: turns
sent one after another alternate between the replicas exactly. nginx never re-sends a
POST to the other replica after an error (it would run a person's message twice). Each
reply names the replica that served it (X-Upstream), so the tests can see the
alternation rather than assume it.
"""

from __future__ import annotations

import grp
import os
import pwd
import tempfile
from pathlib import Path

from tools.stack import Service, free_port

# nginx's workers drop root for this user; they write request and proxy buffers.
WORKER_USER = "nobody"


def _user_directive() -> str:
    if os.geteuid() != 0:
        return ""  # nginx runs as whoever starts it
    user = pwd.getpwnam(WORKER_USER)
    # Debian's "nobody" has the group "nogroup"; nginx would look for a group "nobody".
    return f"user {WORKER_USER} {grp.getgrgid(user.pw_gid).gr_name};"


def nginx_config(listen_port: int, upstream_ports: list[int], root: Path) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in upstream_ports)
    temp = root / "temp"
    return f"""\
daemon off;
worker_processes 1;
pid {root / "nginx.pid"};
error_log stderr warn;
{_user_directive()}
events {{
    worker_connections 256;
}}
http {{
    access_log off;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    upstream rasa {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        location / {{
            proxy_pass http://rasa;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def balancer_service(nginx: Path, upstream_ports: list[int]) -> tuple[Service, Path]:
    """The nginx service and its directory (the caller removes it afterwards)."""
    root = Path(tempfile.mkdtemp(prefix="nginx-test-"))
    # Workers (nobody, when we are root) only pass through to their temp directory.
    root.chmod(0o711)
    temp = root / "temp"
    temp.mkdir(mode=0o700)
    if os.geteuid() == 0:
        user = pwd.getpwnam(WORKER_USER)
        os.chown(temp, user.pw_uid, user.pw_gid)
    port = free_port()
    config = root / "nginx.conf"
    config.write_text(nginx_config(port, upstream_ports, root))
    config.chmod(0o600)
    service = Service(
        "nginx", [str(nginx), "-p", str(root), "-c", str(config), "-e", "stderr"],
        {"PATH": os.environ.get("PATH", "")}, f"http://127.0.0.1:{port}/", port,
    )
    return service, root
