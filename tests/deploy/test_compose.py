"""compose.yml for real: the Compose v2 binary against podman's Docker-compatible API.

The README's first commands (`docker compose up`, `docker compose run --rm web python
manage.py seed_demo`) on this machine, with local stand-ins for the images no registry
gives here: the shop's image from the shared image build, and postgres:15 built from
Debian's own PostgreSQL 15 (tests/deploy/standin-postgres). Podman runs health checks
through systemd timers, absent here, so a thread runs `podman healthcheck run` for the
project's containers while the test waits; compose then sees them turn healthy.
"""

import json
import subprocess
import threading
import time

import psycopg
import pytest

from tests.deploy import tools

POSTGRES_STANDIN = "localhost/threadline-standin-postgres:15"


@pytest.fixture(scope="session")
def postgres_image(base_image, podman_env):
    started = time.monotonic()
    tools.run(
        [
            "podman",
            "build",
            "--isolation",
            "chroot",
            "--pull=never",
            "--layers",
            "--format",
            "docker",
            "--build-arg",
            f"BASE_IMAGE={base_image}",
            "--tag",
            POSTGRES_STANDIN,
            tools.HERE / "standin-postgres",
        ],
        env=podman_env,
        timeout=1200,
    )
    tools.REPORT["postgres stand-in build"] = f"{time.monotonic() - started:.0f} s"
    return POSTGRES_STANDIN


@pytest.fixture(scope="session")
def docker_api(podman_env, tmp_path_factory):
    """podman's Docker-compatible API on a unix socket of our own."""
    socket_path = tmp_path_factory.mktemp("podman-api") / "podman.sock"
    service = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{socket_path}"],
        env=podman_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not socket_path.exists():
        if time.monotonic() > deadline or service.poll() is not None:
            service.kill()
            pytest.fail("podman system service did not open its socket", pytrace=False)
        time.sleep(0.2)
    try:
        yield f"unix://{socket_path}"
    finally:
        service.terminate()
        service.wait(timeout=30)


class Stack:
    def __init__(self, project: str, env: dict, podman_env: dict):
        self.project = project
        self.env = env
        self.podman_env = podman_env
        self.compose = [
            tools.docker_compose(),
            "-p",
            project,
            "-f",
            tools.ROOT / "compose.yml",
            "--env-file",
            "/dev/null",
        ]
        self._stop = threading.Event()
        self._checker = threading.Thread(target=self._run_health_checks, daemon=True)

    def __call__(self, *args, timeout=900, check=True):
        return tools.run([*self.compose, *args], env=self.env, timeout=timeout, check=check)

    def containers(self, all_states=False) -> list[dict]:
        args = [
            "podman",
            "ps",
            "--format",
            "json",
            "--filter",
            f"label=com.docker.compose.project={self.project}",
        ]
        out = tools.run([*args, *(["--all"] if all_states else [])], env=self.podman_env).stdout
        return json.loads(out or "[]")

    def _run_health_checks(self):
        while not self._stop.wait(2):
            for container in self.containers():
                subprocess.run(
                    ["podman", "healthcheck", "run", container["Id"]],
                    env=self.podman_env,
                    capture_output=True,
                    check=False,
                    timeout=60,
                )

    def start_health_checks(self):
        self._checker.start()

    def stop_health_checks(self):
        self._stop.set()
        self._checker.join(timeout=60)

    def health(self, service: str) -> str:
        [container] = [
            c for c in self.containers() if c["Labels"].get("com.docker.compose.service") == service
        ]
        state = tools.run(
            ["podman", "inspect", "--format", "{{.State.Health.Status}}", container["Id"]],
            env=self.podman_env,
        ).stdout.strip()
        return state

    def left_behind(self) -> dict[str, list]:
        label = f"label=com.docker.compose.project={self.project}"
        found = {}
        for kind, args in {
            "containers": ["ps", "--all", "--quiet", "--filter", label],
            "volumes": ["volume", "ls", "--quiet", "--filter", label],
            "networks": ["network", "ls", "--quiet", "--filter", label],
        }.items():
            found[kind] = tools.run(["podman", *args], env=self.podman_env).stdout.split()
        return found


@pytest.fixture(scope="module")
def stack(image, postgres_image, docker_api, podman_env):
    web_port, db_port = tools.free_port(), tools.free_port()
    project = f"threadline-test-{web_port}"
    env = {
        **podman_env,
        "DOCKER_HOST": docker_api,
        "SECRET_KEY": "compose-test-" + "k" * 50,
        "THREADLINE_IMAGE": image,
        "POSTGRES_IMAGE": postgres_image,
        "WEB_PORT": str(web_port),
        "POSTGRES_PORT": str(db_port),
        # The expiry runs every minute here instead of every five, so the test waits less.
        "SHOP_SCHEDULE_EXPIRE_ORDERS": "* * * * *",
    }
    running = Stack(project, env, podman_env)
    running.web_url = f"http://127.0.0.1:{web_port}"
    running.database = f"postgresql://threadline:threadline@127.0.0.1:{db_port}/threadline"
    running.start_health_checks()
    started = time.monotonic()
    try:
        running("up", "--detach", "--no-build", "--pull", "never", timeout=900)
        tools.REPORT["compose up"] = f"{time.monotonic() - started:.0f} s"
        yield running
    except BaseException:
        print(running("logs", "--no-color", check=False).stdout[-8000:])
        raise
    finally:
        running.stop_health_checks()
        running.down_result = running("down", "--volumes", "--timeout", "20", check=False)
        running.leftovers = running.left_behind()


def test_db_and_web_are_healthy_and_migrate_completed(stack):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and stack.health("web") != "healthy":
        time.sleep(1)
    assert stack.health("db") == "healthy"
    assert stack.health("web") == "healthy"
    [migrate] = [
        c for c in stack.containers(all_states=True) if c["Labels"]["com.docker.compose.service"] == "migrate"
    ]
    assert migrate["State"] == "exited" and migrate["ExitCode"] == 0


def test_seed_demo_through_compose_run_then_pages_answer(stack):
    started = time.monotonic()
    result = stack("run", "--rm", "--no-deps", "web", "python", "manage.py", "seed_demo", timeout=900)
    tools.REPORT["compose run seed_demo"] = f"{time.monotonic() - started:.0f} s"
    assert result.returncode == 0
    status, _, body = tools.get(f"{stack.web_url}/")
    assert status == 200, body[:500]
    with psycopg.connect(stack.database) as connection:
        [slug] = connection.execute(
            "SELECT slug FROM catalog_product WHERE deleted_at IS NULL AND is_active ORDER BY id LIMIT 1"
        ).fetchone()
    status, _, body = tools.get(f"{stack.web_url}/products/{slug}/")
    assert status == 200, body[:500]
    assert b"Add to cart" in body


EXPIRED_ORDER = """
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from shop.catalog.models import ProductVariant
from shop.orders.models import Order, OrderItem
variant = ProductVariant.objects.filter(stock__gte=3).order_by("pk").first()
order = Order.objects.create(
    email="abandoned@example.com", status=Order.Status.PENDING_PAYMENT, currency="EUR",
    subtotal=variant.price * 3, shipping=Decimal("0.00"), total=variant.price * 3,
    full_name="Abandoned Checkout", line1="1 Main Street", city="Berlin", postal_code="10115",
    country="DE", payment_due_at=timezone.now() - timedelta(minutes=9),
)
OrderItem.snapshot(variant, 3, order=order).save()
ProductVariant.objects.filter(pk=variant.pk).update(stock=variant.stock - 3)
print("ORDER", order.pk, variant.pk, variant.stock)
"""


def test_an_abandoned_checkout_gives_its_stock_back_on_the_schedulers_tick(stack):
    """A pending order past its deadline holds 3 units; compose's scheduler expires it."""
    result = stack("run", "--rm", "--no-deps", "web", "python", "manage.py", "shell", "-c", EXPIRED_ORDER)
    order_id, variant_id, stock_before = map(int, result.stdout.split("ORDER", 1)[1].split())
    started = time.monotonic()
    deadline = started + 150  # one tick a minute, plus the process's start
    with psycopg.connect(stack.database, autocommit=True) as connection:
        while time.monotonic() < deadline:
            [status] = connection.execute(
                "SELECT status FROM orders_order WHERE id = %s", [order_id]
            ).fetchone()
            if status != "pending_payment":
                break
            time.sleep(2)
        [stock] = connection.execute(
            "SELECT stock FROM catalog_productvariant WHERE id = %s", [variant_id]
        ).fetchone()
    tools.REPORT["expired by the scheduler"] = f"after {time.monotonic() - started:.0f} s"
    assert status == "cancelled", stack("logs", "scheduler", "--no-color", check=False).stdout[-3000:]
    assert stock == stock_before
    logs = stack("logs", "scheduler", "--no-color").stdout
    assert "Expired 1 order(s)." in logs


def test_down_with_volumes_leaves_nothing_behind(stack):
    """Last in the module: runs after the fixture's teardown has been requested."""
    # The fixture tears down at module end; check here by doing it now, idempotently.
    stack.stop_health_checks()
    stack("down", "--volumes", "--timeout", "20")
    assert stack.left_behind() == {"containers": [], "volumes": [], "networks": []}
