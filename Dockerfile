# syntax=docker/dockerfile:1
# Build: docker build -t pioneer .            (or: docker compose -f deploy/docker-compose.yml build)
# Run:   see deploy/docker-compose.yml; the schema is migrated by its one-shot `migrate` service,
#        or by hand: docker run --rm --env-file deploy/.env pioneer pioneer migrate

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first, at the exact versions of constraints.txt: this layer is rebuilt only
# when the pins change, not on every change to the code.
COPY constraints.txt ./
RUN pip install -r constraints.txt
# Then Pioneer itself, without touching the dependencies; `pip check` proves the pins
# satisfy pyproject.toml's ranges.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
COPY storage ./storage
RUN pip install --no-deps . && pip check
# Lean: numpy's and matplotlib's own test suites, type stubs, and the installers are not
# needed to run (about 40 MB of the venv).
RUN find /opt/venv/lib -depth -type d -name tests -path "*/site-packages/*/tests" \
        \( -path "*/numpy/*" -o -path "*/matplotlib/*" -o -path "*/fontTools/*" \) \
        -exec rm -rf {} + \
    && find /opt/venv/lib -name "*.pyi" -delete \
    && pip uninstall -y pip setuptools

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/pioneer.db
RUN groupadd --system pioneer && useradd --system --gid pioneer --home-dir /data pioneer \
    && mkdir -p /data && chown pioneer:pioneer /data
COPY --from=build /opt/venv /opt/venv
USER pioneer
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)" || exit 1
# Only serves: migrating is a step of its own (`pioneer migrate`, once per upgrade), so that
# replicas starting together never race to change the schema.
CMD ["pioneer", "serve"]
