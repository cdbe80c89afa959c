# syntax=docker/dockerfile:1
# Build: docker build -t pioneer .            (or: docker compose -f deploy/docker-compose.yml build)
# Run:   see deploy/docker-compose.yml; the schema is migrated by its one-shot `migrate` service,
#        or by hand: docker run --rm --env-file deploy/.env pioneer pioneer migrate

# The dependencies, at the exact versions of constraints.txt, in a virtual environment of
# their own: this stage (and the image layer it becomes) changes only when the pins change.
FROM python:3.11-slim AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY constraints.txt /tmp/constraints.txt
# Lean: numpy's and matplotlib's own test suites, type stubs and the installers are not
# needed to run (about 50 MB).
RUN /opt/venv/bin/pip install -r /tmp/constraints.txt \
    && find /opt/venv/lib -depth -type d -name tests \
        \( -path "*/numpy/*" -o -path "*/matplotlib/*" \) -exec rm -rf {} + \
    && find /opt/venv/lib -name "*.pyi" -delete \
    && /opt/venv/bin/pip uninstall -y pip setuptools

# Pioneer itself, as a wheel.
FROM python:3.11-slim AS app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
COPY storage ./storage
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/pioneer.db
RUN groupadd --system pioneer && useradd --system --gid pioneer --home-dir /data pioneer \
    && mkdir -p /data && chown pioneer:pioneer /data
COPY --from=deps /opt/venv /opt/venv
# A change to the code rebuilds only this small layer; `pip check` proves the pins satisfy
# pyproject.toml's ranges. The base image's pip installs it: the venv carries none.
COPY --from=app /wheels /tmp/wheels
RUN /usr/local/bin/python3 -m pip --python /opt/venv/bin/python install --no-deps /tmp/wheels/*.whl \
    && /usr/local/bin/python3 -m pip --python /opt/venv/bin/python check \
    && rm -rf /tmp/wheels
USER pioneer
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)" || exit 1
# Only serves: migrating is a step of its own (`pioneer migrate`, once per upgrade), so that
# replicas starting together never race to change the schema.
CMD ["pioneer", "serve"]
