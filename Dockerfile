# syntax=docker/dockerfile:1
# One image for the API and the workers:
#   docker run IMAGE api                       (the default command)
#   docker run IMAGE worker myapp.tasks:queue
# Your tasks: build FROM this image and copy your package in, or mount it and set
# PYTHONPATH.

ARG PYTHON_VERSION=3.12
# Extras installed in the image; add "aws" for the CloudWatch exporter (docs/deploy.md).
ARG EQUEUE_EXTRAS=fast

# --- build: compile wheels with the toolchain, which stays in this stage ---------------
FROM python:${PYTHON_VERSION}-slim AS build
ARG EQUEUE_EXTRAS
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/equeue \
 && /opt/equeue/bin/pip install --upgrade pip \
 && /opt/equeue/bin/pip install ".[${EQUEUE_EXTRAS}]"

# --- runtime: the virtualenv only, as an unprivileged user ---------------------------
FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PATH=/opt/equeue/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EQUEUE_HOST=0.0.0.0 \
    EQUEUE_PORT=8000
RUN groupadd --system equeue \
 && useradd --system --gid equeue --no-create-home --home-dir /app --shell /usr/sbin/nologin equeue
COPY --from=build /opt/equeue /opt/equeue
WORKDIR /app
USER equeue
EXPOSE 8000
# No HEALTHCHECK here: the image runs both the API (which answers /healthz; compose.yaml
# checks it) and workers (which serve no HTTP; their heartbeats are in the database).
# SIGTERM lets running jobs finish (EQUEUE_SHUTDOWN_GRACE); give the container longer
# than that before it is killed (docker stop -t, ECS stopTimeout).
STOPSIGNAL SIGTERM
ENTRYPOINT ["equeue"]
CMD ["api"]
