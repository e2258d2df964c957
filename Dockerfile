# dxbot for docker-compose.yml (several hosts on one PostgreSQL). Not needed for one host:
# `uv run dxbot serve` is the whole set-up there.
FROM python:3.11-slim
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY knowledge knowledge
COPY handlers handlers
COPY bot bot
COPY scheduler scheduler
RUN uv sync --frozen --no-dev
ENV DXBOT_DB=/var/lib/dxbot/knowledge.db
VOLUME /var/lib/dxbot
EXPOSE 8000
# Each host keeps its knowledge base (the parsed plan) in a local file; the state is in PostgreSQL.
CMD ["uv", "run", "--no-dev", "dxbot", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
