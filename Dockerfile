# syntax=docker/dockerfile:1
# Build: docker build -t pioneer .
# Run:   docker run --env-file .env -p 3000:3000 -v pioneer-data:/data pioneer

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
COPY storage ./storage
RUN pip install --upgrade pip && pip install .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLBACKEND=Agg \
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
# Migrations are idempotent, so every start brings the schema up to date first.
CMD ["sh", "-c", "pioneer migrate && exec pioneer serve"]
