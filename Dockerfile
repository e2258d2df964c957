# dxbot for docker-compose.yml (several hosts on one PostgreSQL). Not needed for one host:
# `uv run dxbot serve` is the whole set-up there.
FROM python:3.11.7-slim-bookworm
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY knowledge knowledge
COPY state state
COPY handlers handlers
COPY bot bot
COPY scheduler scheduler
# --locked: the image is built from the lock file as it is, or not at all.
RUN uv sync --locked --no-dev
RUN useradd --system --home-dir /var/lib/dxbot dxbot && mkdir -p /var/lib/dxbot && chown dxbot /var/lib/dxbot
USER dxbot
ENV DXBOT_DB=/var/lib/dxbot/knowledge.db
VOLUME /var/lib/dxbot
EXPOSE 8000
# Each host keeps its knowledge base (the parsed plan) in a local file; the state is in PostgreSQL.
# The venv's own binary: nothing is resolved or installed when the container starts.
CMD ["/app/.venv/bin/dxbot", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
