# syntax=docker/dockerfile:1
# The hub's image. `docker run -p 8000:8000 IMAGE` serves everything in one process (SQLite in
# the working directory, the embedded broker); the Helm chart (helm/school-safety-hub) runs the
# same image as api, worker, scheduler and migration Job against PostgreSQL and Kafka.

# Both stages use the same Python, so the venv's interpreter links stay valid.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY hub ./hub
# A wheel, not the source tree: only what the package declares (migrations and templates
# included) goes into the image. pip compiles the bytecode now, as the runtime root filesystem
# may be read-only.
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install /wheels/*.whl

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="School Safety Hub" \
      org.opencontainers.image.description="A statewide school safety center's hub: directory, alert network and federation." \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /home/hub --create-home \
       --shell /usr/sbin/nologin hub
COPY --from=builder /opt/venv /opt/venv
# schemas/ lives beside the package in the repository, so an installed wheel lacks it: the
# taxonomy, JSON Schemas and CAP XSD go here, named by HUB_SCHEMAS_DIR (the chart sets the same).
COPY schemas /app/schemas
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HUB_SCHEMAS_DIR=/app/schemas
USER 10001:10001
# Writable by the hub user: the default SQLite file lands here when no database is configured.
WORKDIR /home/hub
EXPOSE 8000
# No HEALTHCHECK: the same image runs `hub worker` and `hub scheduler`, which serve no /healthz;
# Kubernetes ignores it anyway and the chart sets its own probes.
ENTRYPOINT ["hub"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
