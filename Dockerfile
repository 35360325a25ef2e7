# emby-processor: workers and dashboard in one process, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_ARENA_MAX=2 \
    WATCH_DIRS=/watch \
    LIBRARY_DIR=/library \
    DATA_DIR=/data

WORKDIR /app

# dependencies first, in their own layer, from the lock file (the same pip commands as `make`)
COPY requirements.lock build-constraints.txt ./
RUN python -m pip install --quiet "pip==26.3" \
 && python -m pip install --quiet --build-constraint build-constraints.txt -r requirements.lock

COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m pip install --quiet --no-deps . \
 && useradd --create-home --uid 1000 --user-group emby \
 && mkdir -p /watch /library /data \
 && chown emby:emby /watch /library /data

USER emby
VOLUME ["/watch", "/library", "/data"]
EXPOSE 8000

# "degraded" (e.g. Emby unreachable) is still a running service; "unhealthy" is not
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import json, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4); sys.exit(1 if json.load(r)['status'] == 'unhealthy' else 0)"]

# exec form: the service is PID 1's only child under `init: true` (compose) and gets SIGTERM
STOPSIGNAL SIGTERM
CMD ["emby-processor", "run"]
