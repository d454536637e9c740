# syntax=docker/dockerfile:1
# Two stages: the build stage installs chanwarden and its dependencies into a virtualenv; the runtime stage
# copies only that virtualenv, so no pip cache, source tree or build tooling ends up in the image.

FROM python:3.13-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY adapters ./adapters
COPY infrastructure ./infrastructure
COPY entrypoints ./entrypoints
RUN /venv/bin/pip install --no-cache-dir .

FROM python:3.13-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin chanwarden \
    && mkdir /data && chown chanwarden:chanwarden /data
COPY --from=build /venv /venv
# /data keeps the Telegram session (update state for catch-up) and, with the embedded store, the event log.
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CHANWARDEN_HTTP_HOST=0.0.0.0 \
    CHANWARDEN_LOG_FORMAT=json \
    CHANWARDEN_SESSION_PATH=/data/bot.session \
    CHANWARDEN_SQLITE_PATH=/data/events.db
WORKDIR /data
VOLUME ["/data"]
USER chanwarden
EXPOSE 9464
ENTRYPOINT ["chanwarden"]
CMD ["run"]
