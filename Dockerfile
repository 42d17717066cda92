# container-bot: `docker build -t container-bot .`; configuration only through the environment (see docs/operations.md).
# Build stage: a wheel of the bot and its dependencies, so the final image carries no build tools.
FROM python:3.11.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md knowledge.yaml examples.yaml ./
COPY bot ./bot
# setup.py trains the matcher into the wheel: every install of it starts warm, as any user, read-only.
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[redis,postgres]"

FROM python:3.11.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=3000 \
    CONTAINER_BOT_CACHE=/tmp/container-bot
# The installed package carries what the matcher learned from the packaged knowledge (root's, read by uid
# 10001, written by no one), so every container start is warm on a read-only root filesystem; a different
# KNOWLEDGE_FILE trains at start and keeps its model in /tmp. The ask below checks the install answers.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels "container-bot[redis,postgres]==0.1.0" \
    && CONTAINER_BOT_CACHE=off container-bot ask "ecs or eks?" > /dev/null \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bot
USER 10001:10001
EXPOSE 3000
# HTTP mode answers on $PORT; a Socket Mode deployment sets METRICS_PORT and is checked there.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % (os.environ.get('METRICS_PORT') or os.environ.get('PORT', '3000')), timeout=2)"]
ENTRYPOINT ["container-bot"]
CMD ["serve"]
