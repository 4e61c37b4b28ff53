# syntax=docker/dockerfile:1
# Threadline, the shop as one image: gunicorn serving Django + Wagtail, static files
# collected at build time and served by WhiteNoise. See docs/deployment.md.
#
#   docker build -t threadline .
#   docker build --build-arg VERSION=1.2.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg SOURCE=https://github.com/OWNER/threadline -t threadline:1.2.0 .
#
# Behind a TLS-inspecting proxy or with a private index, pass pip's settings as build
# secrets (never baked into a layer):
#   --secret id=pip.conf,src=/path/pip.conf --secret id=ca.crt,src=/path/ca-bundle.crt
# (the pip.conf may say `cert = /run/secrets/ca.crt`).

# Debian bookworm, as named: the test stand-in (tests/deploy/build-standin.sh) is built
# from the same release, so what is tested is what ships.
ARG BASE_IMAGE=python:3.12-slim-bookworm

# --- builder: a virtualenv with the pinned requirements ---------------------------
FROM ${BASE_IMAGE} AS builder

# Compilers and headers only here, for any requirement without a binary wheel for
# this platform (psycopg's C part, Pillow). Versions follow the base image's Debian
# release, which is itself pinned by the base image tag.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev libjpeg62-turbo-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1
RUN python -m venv --without-pip /opt/venv
# The lock (make lock) names every package, its exact version and its files' hashes:
# pip refuses anything else, so the image holds what the tests ran against.
COPY requirements.lock /tmp/requirements.lock
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    --mount=type=secret,id=pip.conf,target=/etc/pip.conf \
    --mount=type=secret,id=ca.crt \
    python -m pip --python /opt/venv/bin/python install --no-warn-script-location \
      --require-hashes --no-deps -r /tmp/requirements.lock

# --- runtime: slim, non-root, no compilers ----------------------------------------
FROM ${BASE_IMAGE} AS runtime

# WeasyPrint draws invoice PDFs with Pango; DejaVu is the font the invoice template names.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid, so volumes, securityContext.runAsUser and fsGroup can name it.
RUN groupadd --gid 10001 threadline \
    && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin threadline

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod \
    MEDIA_ROOT=/app/media \
    PORT=8000

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY . .

# Static files: hashed names, gzip copies and the manifest, made once here with the
# production settings. Nothing touches a database; the key exists only in this RUN.
# Byte code is compiled now, so a read-only root filesystem costs nothing at start.
RUN SECRET_KEY="build-only-collectstatic-key-never-used-to-sign-anything-0123456789" \
    DATABASE_URL="postgres://build@127.0.0.1:1/build" \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q -j 0 config home shop \
    && mkdir -p /app/media \
    && chown threadline:threadline /app/media

USER 10001:10001
EXPOSE 8000
# gunicorn drains in-flight requests on SIGTERM for up to GUNICORN_GRACEFUL_TIMEOUT.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/scripts/docker-entrypoint.sh", "healthcheck"]
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]

# Last, so a new revision changes only this metadata, not a cached layer above.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="threadline" \
      org.opencontainers.image.description="Threadline: a content-driven clothing shop on Django and Wagtail" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
