#!/bin/sh
# Entrypoint of the Threadline image.
#   (no arguments)      -> the image's CMD: gunicorn with config/gunicorn.py
#   healthcheck         -> GET /healthz on this container; exit 0 when it answers 200
#   anything else       -> run it, e.g. `python manage.py migrate` or `python manage.py seed_demo`
# Migrations are a separate step (compose's `migrate` service, a Kubernetes Job). For a
# single container with nothing else to run them, set MIGRATE_ON_START=true.
set -eu

if [ "${1:-}" = healthcheck ]; then
  # Sends a Host header the site accepts, so the check works whatever ALLOWED_HOSTS says.
  exec python -c '
import os, sys, urllib.request
hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
hosts = [h for h in hosts if h and h != "*"] or ["127.0.0.1"]
port = os.environ.get("PORT", "8000")
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": hosts[0]})
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:
    print(f"healthcheck failed: {exc}", file=sys.stderr)
    sys.exit(1)
'
fi

case "${MIGRATE_ON_START:-false}" in
  1 | true | True | TRUE | yes)
    python manage.py migrate --noinput
    ;;
esac

exec "$@"
